// One synthetic person's year, as lines of a timeline, from the `followed` and
// `history` rows of a run (shared by `credsim follow` and the HTML report).

export interface FollowedRow {
  agent: number;
  reason: string;
  group: string;
  segment: string;
  household: string;
  contacts: number;
  contacts_ever_listed: number;
  ties_cut: number;
}

export interface HistoryRow {
  agent: number;
  seq: number;
  day: number;
  event: string;
  behaviour: string | null;
  source: string | null;
  true_record: number | null;
  other_agent: number | null;
  flag: number | null;
  value: number | null;
}

export const REASON_TEXT: Record<string, string> = {
  wrongful: "wrongfully listed",
  spillover: "sanctioned through a relative",
  appealed: "appealed",
  "false-record": "had a false record",
  random: "chosen at random",
};

export function storyHeader(p: FollowedRow): string[] {
  const household = p.household.split(" ").map(Number);
  const others = household.filter((x) => x !== p.agent);
  return [
    `Person ${p.agent} (followed: ${REASON_TEXT[p.reason] ?? p.reason}) — group ${p.group}, ${p.segment}`,
    `${others.length ? `household: ${others.join(", ")} and this person` : "lives alone"} · ${p.contacts} contacts${p.contacts ? `, ${p.contacts_ever_listed} of them listed at some point, ${p.ties_cut} tie${p.ties_cut === 1 ? "" : "s"} cut` : ""}`,
  ];
}

/** Timeline lines (day, text), in order; a day's score is shown on its last line. */
export function storyLines(p: FollowedRow, rows: HistoryRow[]): { day: number; text: string }[] {
  const own = rows.filter((r) => r.agent === p.agent).sort((a, b) => a.seq - b.seq);
  const relatives = rows.filter((r) => r.agent !== p.agent).sort((a, b) => a.day - b.day || a.seq - b.seq);
  const lines: { day: number; text: string; order: number }[] = [];
  let order = 0;
  for (const r of own) {
    let text: string | null = null;
    switch (r.event) {
      case "record":
        text = `${r.true_record === 1 ? "record" : "FALSE record"} of ${r.behaviour}${r.source ? ` (${r.source})` : ""}`;
        break;
      case "denied":
        text = `denied: ${r.behaviour} (blocked by a restriction)`;
        break;
      case "listed":
        text = `LISTED until day ${r.value}${r.flag === 1 ? " — wrongful: the same rules with perfect information would not list this person" : " — rightful"}`;
        break;
      case "unlisted":
        text =
          r.flag === 1 ? "unlisted: the appeal overturned the listing" : r.flag === 2 ? "unlisted: paid or repaired (cured)" : "unlisted: the listing expired";
        break;
      case "listing extended":
        text =
          r.flag === 1
            ? `listing extended to day ${r.value} by a record that lists directly`
            : r.flag === 2
              ? `listing renewed until day ${r.value}: its period ended the day a record that lists directly was kept`
              : `listing renewed until day ${r.value}: its period ended with the score still below the threshold`;
        break;
      case "appeal filed":
        text = "filed an appeal";
        break;
      case "appeal decided":
        text = r.flag === 1 ? "appeal decided: overturned" : "appeal decided: upheld";
        break;
      case "cured":
        text = "paid or repaired";
        break;
      case "appeal dropped":
        text = "the pending appeal was dropped: the listing ended before it was decided";
        break;
      case "tie cut":
        text = `tie with ${r.other_agent} cut`;
        break;
      case "rated":
        text = `rated by ${r.other_agent} (${(r.value ?? 0) >= 0 ? "+" : ""}${(r.value ?? 0).toFixed(3)})`;
        break;
      case "score": {
        const last = lines.filter((l) => l.day === r.day).at(-1);
        if (last) last.text += `   · score ${(r.value ?? 0).toFixed(1)}`;
        break;
      }
    }
    if (text) lines.push({ day: r.day, text, order: order++ });
  }
  for (const r of relatives) {
    if (r.event === "listed")
      lines.push({ day: r.day, text: `relative ${r.agent} LISTED until day ${r.value}: household restrictions may fall on this person`, order: order++ });
    if (r.event === "listing extended") lines.push({ day: r.day, text: `relative ${r.agent}'s listing extended to day ${r.value}`, order: order++ });
    if (r.event === "unlisted") lines.push({ day: r.day, text: `relative ${r.agent} unlisted`, order: order++ });
  }
  return lines.sort((a, b) => a.day - b.day || a.order - b.order).map(({ day, text }) => ({ day, text }));
}
