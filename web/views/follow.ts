import * as Plot from "@observablehq/plot";
import { REASON_TEXT, storyHeader, storyLines } from "../../src/report/story.js";
import { escapeHtml } from "../../src/report/summary-table.js";
import { REASONS } from "../../src/store/follow.js";
import type { RunResult } from "../protocol.js";

// "Follow one person": the people a run followed, and one person's year —
// records, score, listings, appeals, their household and their contacts.

export function renderCandidates(into: HTMLElement, result: RunResult, selected: number | null, onPick: (agent: number) => void): void {
  // in the order of REASONS: the wrongfully listed first
  const byReason = new Map<string, typeof result.followed>(REASONS.map((r) => [r, []]));
  for (const p of result.followed) byReason.get(p.reason)?.push(p);
  for (const [r, people] of byReason) if (people.length === 0) byReason.delete(r);
  into.innerHTML = [...byReason]
    .map(
      ([reason, people]) =>
        `<div class="candidates"><span>${escapeHtml(REASON_TEXT[reason] ?? reason)}:</span> ${people
          .map((p) => `<button type="button" class="person" data-agent="${p.agent}" aria-pressed="${p.agent === selected}">#${p.agent}</button>`)
          .join(" ")}</div>`,
    )
    .join("");
  for (const b of into.querySelectorAll<HTMLButtonElement>("button.person")) b.addEventListener("click", () => onPick(Number(b.dataset.agent)));
}

export function renderStory(into: HTMLElement, result: RunResult, agent: number, days: number): void {
  const person = result.followed.find((p) => p.agent === agent);
  if (!person) {
    into.innerHTML = `<p class="note">Person #${agent} was not logged in this run.</p>`;
    return;
  }
  const household = person.household.split(" ").map(Number);
  const rows = result.history.filter((r) => household.includes(r.agent));
  const lines = storyLines(person, rows);
  const own = rows.filter((r) => r.agent === agent);
  const events = own.filter((r) => r.event === "score").map((r) => ({ day: r.day, score: r.value ?? 0 }));
  const scores = scorePath(events, result.scoring, days);
  // a listing ends at its planned day, or earlier when it is overturned, cured or replaced
  const spans = own
    .filter((r) => r.event === "listed")
    .map((r) => {
      const end = own.find((e) => e.event === "unlisted" && e.day >= r.day && e.seq > r.seq);
      return { from: r.day, to: Math.min(days, end ? end.day : (r.value ?? r.day)), wrongful: r.flag === 1 };
    });
  const contacts = result.contacts.filter((c) => c.agent === agent);
  const header = storyHeader(person);
  const chart = Plot.plot({
    document,
    width: 680,
    height: 200,
    marginLeft: 56,
    style: { fontSize: "12px", background: "white", color: "#222" },
    x: { domain: [0, days], label: "day" },
    y: { label: "score", grid: true },
    marks: [
      // no y channel: each listing spans the chart's full height
      Plot.rect(spans, { x1: "from", x2: "to", fill: (d) => (d.wrongful ? "#e45756" : "#4c78a8"), fillOpacity: 0.18 }),
      Plot.lineY(scores, { x: "day", y: "score", stroke: "#222" }),
      Plot.dot(scores, { x: "day", y: "score", r: 2, fill: "#222" }),
    ],
  });
  const listedContacts = contacts.filter((c) => c.everListed).map((c) => `#${c.contact}`);
  const cut = contacts.filter((c) => c.cut).map((c) => `#${c.contact}`);
  into.innerHTML = `<div class="story">${header.map((h) => `<p>${escapeHtml(h)}</p>`).join("")}
${contacts.length ? `<p>Contacts listed at some point: ${listedContacts.length ? escapeHtml(listedContacts.join(", ")) : "none"}. Ties cut: ${cut.length ? escapeHtml(cut.join(", ")) : "none"}.</p>` : ""}
<figure class="score"><div class="score-chart"></div><figcaption>Score: dots on the days something happened to this person; between them the line shows it drifting back toward the starting score (a penalty for listed contacts, where the scenario has one, is not drawn); shaded: listed (red: wrongfully, blue: rightfully).</figcaption></figure>
<ol class="timeline" aria-label="Timeline">${lines.map((l) => `<li><span class="day">day ${l.day}</span> ${escapeHtml(l.text)}</li>`).join("") || "<li>Nothing happened to this person this year.</li>"}</ol></div>`;
  into.querySelector(".score-chart")?.append(events.length || spans.length ? chart : document.createTextNode("The score never changed."));
}

/** Daily score from the logged event days: between them, reversion toward the start (closed form of step 7 with no records). */
function scorePath(events: { day: number; score: number }[], sc: RunResult["scoring"], days: number): { day: number; score: number }[] {
  const out: { day: number; score: number }[] = [{ day: 0, score: sc.start }];
  let day = 0;
  let score = sc.start;
  const drift = (s: number, k: number) => Math.min(sc.max, Math.max(sc.min, sc.start + (1 - sc.reversion) ** k * (s - sc.start)));
  for (const e of [...events, { day: days - 1, score: Number.NaN }]) {
    for (let d = day + 1; d < e.day; d++) out.push({ day: d, score: drift(score, d - day) });
    if (Number.isNaN(e.score)) {
      if (e.day > day) out.push({ day: e.day, score: drift(score, e.day - day) });
      break;
    }
    out.push(e);
    day = e.day;
    score = e.score;
  }
  return out;
}
