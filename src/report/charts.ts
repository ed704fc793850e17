import * as Plot from "@observablehq/plot";
import type { Summary } from "../engine/metrics.js";
import { MIN_EXPECTED_OCCURRENCES } from "../engine/metrics.js";
import { NOISE_Z } from "./summary-notes.js";

// The charts of a run, one function each, as Observable Plot SVG. They take the
// `document` to draw into (linkedom's in Node, the page's in the lab), so the
// report and the lab share them. Every chart has a one-sentence caption that says
// what to read from it.

export interface DailyPoint {
  day: number;
  group: string;
  agents: number;
  listed: number;
  listed_wrongfully: number;
  shadow_listed: number;
  spillover: number;
  queue_length: number;
  ties_cut: number;
  appeals_filed: number;
  overturned: number;
}

export interface BehaviourPoint {
  group: string;
  behaviour: string;
  kind: string;
  occurrences: number;
  expected_without_system: number;
}

export interface RunData {
  summary: Summary;
  daily: DailyPoint[];
  behaviours: BehaviourPoint[];
  title: string;
  /** One followed person's timeline (header lines, then day and text). */
  story?: { header: string[]; lines: { day: number; text: string }[] };
  /** A run of regions: its regions.yaml (the region set, with its sources). */
  regionsYaml?: string;
}

export interface Chart {
  id: string;
  title: string;
  caption: string;
  /** Empty when there is nothing to draw (no tiers, no appeals, …): the caption says why. */
  svg: string;
}

const WIDTH = 680;
const HEIGHT = 280;
const style = { fontSize: "12px", fontFamily: "DejaVu Sans, system-ui, sans-serif", background: "white", color: "#222" };

type Doc = Document;

/** The options every chart shares: where it draws, its size and its style. */
function frame(document: Doc) {
  return { document, width: WIDTH, height: HEIGHT, style };
}

/** A legend drawn inside the SVG (Plot's own legends are HTML, which PNG export cannot render); wraps at the chart width. */
function legend(items: ([string, string] | [string, string, string])[], options: { fx?: string; dy?: number; width?: number } = {}): Plot.Markish[] {
  const top = options.dy ?? -18;
  const width = options.width ?? WIDTH - 80;
  let dx = 6;
  let dy = top;
  return items.flatMap(([label, color, symbol]) => {
    const w = 26 + label.length * 6.6;
    if (dx > 6 && dx + w > width) {
      dx = 6;
      dy += 16;
    }
    const at = dx;
    const row = dy;
    dx += w;
    const data = [{ label, fx: options.fx }];
    const fx = options.fx !== undefined ? "fx" : undefined;
    return [
      Plot.dot(data, { frameAnchor: "top-left", dx: at, dy: row, fill: color, r: 5, symbol: symbol ?? "circle", fx }),
      Plot.text(data, { frameAnchor: "top-left", dx: at + 10, dy: row, text: "label", textAnchor: "start", fontSize: 11, fx }),
    ];
  });
}

const PALETTE = ["#4c78a8", "#e45756", "#b279a2", "#f58518", "#72b7b2", "#54a24b", "#eeca3b", "#9d755d"];

function svgOf(node: Element): string {
  let s = node.outerHTML;
  if (!s.includes('xmlns="http://www.w3.org/2000/svg"')) s = s.replace("<svg", '<svg xmlns="http://www.w3.org/2000/svg"');
  return s;
}

/** Totals over groups, per day. */
function totals(daily: DailyPoint[]): { day: number; listed: number; wrongful: number; shadow: number; queue: number; tiesCut: number }[] {
  const byDay = new Map<number, { day: number; listed: number; wrongful: number; shadow: number; queue: number; tiesCut: number }>();
  for (const d of daily) {
    const t = byDay.get(d.day) ?? { day: d.day, listed: 0, wrongful: 0, shadow: 0, queue: 0, tiesCut: 0 };
    t.listed += d.listed;
    t.wrongful += d.listed_wrongfully;
    t.shadow += d.shadow_listed;
    t.queue += d.queue_length;
    t.tiesCut += d.ties_cut;
    byDay.set(d.day, t);
  }
  return [...byDay.values()].sort((a, b) => a.day - b.day);
}

/** Whole numbers with thousands separators, as in the tables. */
const count = (x: number) => Math.round(x).toLocaleString("en");

export function listedOverTime(data: RunData, document: Doc): Chart {
  const title = "Listed over time, by group";
  if (!data.daily.some((d) => d.listed > 0)) return { id: "listed", title, caption: "Nobody was on the list at any time in this run.", svg: "" };
  // a group with no agents (its share rounded to 0) has no share to draw
  const rows = data.daily
    .filter((d) => d.agents > 0)
    .flatMap((d) => [
      { day: d.day, group: d.group, part: "rightful", share: (d.listed - d.listed_wrongfully) / d.agents },
      { day: d.day, group: d.group, part: "wrongful", share: d.listed_wrongfully / d.agents },
    ]);
  const svg = Plot.plot({
    ...frame(document),
    marginLeft: 64,
    y: { label: "share of group listed", tickFormat: "%", grid: true },
    x: { label: "day" },
    fx: { label: null },
    color: { domain: ["rightful", "wrongful"], range: ["#4c78a8", "#e45756"] },
    marks: [
      Plot.areaY(rows, { x: "day", y: "share", fill: "part", z: "part", fx: "group", order: ["rightful", "wrongful"] }),
      Plot.ruleY([0]),
      // inside the first panel's top-left corner, which the data leaves empty
      ...legend(
        [
          ["listed rightfully", "#4c78a8"],
          ["listed wrongfully", "#e45756"],
        ],
        { fx: data.daily[0]?.group, dy: 8 },
      ),
    ],
  });
  return {
    id: "listed",
    title,
    caption:
      "Each panel is a group: the height is the share of the group on the list, and the red part is the share listed wrongfully (not listed under perfect information).",
    svg: svgOf(svg),
  };
}

export function precisionRecall(data: RunData, document: Doc): Chart {
  const title = "Precision and recall over time";
  const days = totals(data.daily);
  if (!days.some((t) => t.listed > 0 || t.shadow > 0))
    return {
      id: "precision-recall",
      title,
      caption: "Nobody was listed, in the run or under perfect information, so precision and recall are undefined.",
      svg: "",
    };
  const rows = days.flatMap((t) => [
    { day: t.day, metric: "precision", value: t.listed > 0 ? (t.listed - t.wrongful) / t.listed : null },
    { day: t.day, metric: "recall", value: t.shadow > 0 ? (t.listed - t.wrongful) / t.shadow : null },
  ]);
  const svg = Plot.plot({
    ...frame(document),
    marginLeft: 64,
    y: { label: "share", domain: [0, 1], tickFormat: "%", grid: true },
    x: { label: "day" },
    marginTop: 30,
    color: { domain: ["precision", "recall"], range: ["#4c78a8", "#f58518"] },
    marks: [
      Plot.lineY(rows, { x: "day", y: "value", stroke: "metric", z: "metric", strokeWidth: 2 }),
      ...legend([
        ["precision", "#4c78a8"],
        ["recall", "#f58518"],
      ]),
    ],
  });
  return {
    id: "precision-recall",
    title,
    caption: "Precision is the share of the listed who would be listed under perfect information; recall is the share of those who would be listed that are.",
    svg: svgOf(svg),
  };
}

export function disparity(data: RunData, document: Doc): Chart {
  const title = "Listing-rate and false-positive-rate ratios by group";
  const groups = Object.keys(data.summary.ratios);
  const first = groups[0];
  if (groups.length < 2) return { id: "disparity", title, caption: "This scenario has one group: there is no ratio between groups.", svg: "" };
  const rows = groups.flatMap((g) => [
    { group: g, ratio: "listing-rate ratio", value: data.summary.ratios[g].listedShare },
    { group: g, ratio: "FPR ratio", value: data.summary.ratios[g].fpr },
  ]);
  const hasListing = rows.some((r) => r.ratio === "listing-rate ratio" && r.value !== null);
  const hasFpr = rows.some((r) => r.ratio === "FPR ratio" && r.value !== null);
  // ratios to a first group with none listed (or no false positive) are unbounded: say so rather than drop them unseen
  const missing = [
    hasListing ? "" : `no listing-rate ratio (nobody in ${first} is listed on the last day)`,
    hasFpr
      ? ""
      : `no false-positive-rate ratio (${first}'s false-positive rate is 0 or undefined, so ratios to it are unbounded; the rates themselves are in the table)`,
  ].filter(Boolean);
  if (!hasListing && !hasFpr) return { id: "disparity", title, caption: `Nothing to compare: ${missing.join("; ")}.`, svg: "" };
  const values = rows.map((r) => r.value).filter((v): v is number => v !== null);
  const top = Math.max(1.5, ...values) * 1.1;
  const svg = Plot.plot({
    ...frame(document),
    marginLeft: 120,
    x: { label: `ratio to ${groups[0]}`, domain: [0, top], grid: true },
    y: { label: null },
    marginTop: 30,
    color: { domain: ["listing-rate ratio", "FPR ratio"], range: ["#4c78a8", "#e45756"] },
    symbol: { domain: ["listing-rate ratio", "FPR ratio"], range: ["circle", "diamond"] },
    marks: [
      ...legend(
        [
          ["listing-rate ratio", "#4c78a8", "circle"] as [string, string, string],
          ["false-positive-rate ratio", "#e45756", "diamond"] as [string, string, string],
        ].filter(([name]) => (name === "listing-rate ratio" ? hasListing : hasFpr)),
      ),
      Plot.rectX([{ x1: 0.8, x2: 1.25 }], { x1: "x1", x2: "x2", fill: "#ccc", fillOpacity: 0.4 }),
      Plot.text([{ x: 1.025, label: "0.8–1.25 (four-fifths convention, not a legal test)" }], {
        x: "x",
        text: "label",
        frameAnchor: "top",
        dy: 6,
        fontSize: 10,
      }),
      Plot.ruleX([1]),
      Plot.dot(
        rows.filter((r) => r.value !== null),
        { x: "value", y: "group", fill: "ratio", r: 5, symbol: "ratio" },
      ),
    ],
  });
  return {
    id: "disparity",
    title,
    caption: `Each group's listing rate and false-positive rate divided by the first group's; points outside the grey band are outside the 0.8–1.25 convention often used to flag disparity.${missing.length ? ` Here ${missing.join("; ")}.` : ""}`,
    svg: svgOf(svg),
  };
}

export function sanctionDays(data: RunData, document: Doc): Chart {
  if (data.summary.total.sanctionDays === 0)
    return { id: "sanction-days", title: "Sanction-days per person: rightful, wrongful, spillover", caption: "Nobody was sanctioned during the run.", svg: "" };
  const rows = Object.entries(data.summary.groups)
    .filter(([, m]) => m.agents > 0)
    .flatMap(([g, m]) => [
      { group: g, part: "rightful", days: m.rightfulSanctionDays / m.agents },
      { group: g, part: "wrongful", days: m.wrongfulSanctionDays / m.agents },
      { group: g, part: "spillover (household)", days: m.spilloverSanctionDays / m.agents },
    ]);
  const svg = Plot.plot({
    ...frame(document),
    marginLeft: 120,
    x: { label: "sanction-days per person", grid: true },
    y: { label: null },
    marginTop: 30,
    color: { domain: ["rightful", "wrongful", "spillover (household)"], range: ["#4c78a8", "#e45756", "#b279a2"] },
    marks: [
      Plot.barX(rows, { x: "days", y: "group", fill: "part" }),
      Plot.ruleX([0]),
      ...legend([
        ["rightful", "#4c78a8"],
        ["wrongful", "#e45756"],
        ["spillover (household)", "#b279a2"],
      ]),
    ],
  });
  return {
    id: "sanction-days",
    title: "Sanction-days per person: rightful, wrongful, spillover",
    caption:
      "Days spent under sanction per person in each group, split into rightful listings, wrongful listings, and days relatives spent under a household restriction without being listed.",
    svg: svgOf(svg),
  };
}

export function chillingDeterrence(data: RunData, document: Doc): Chart {
  const byBehaviour = new Map<string, { behaviour: string; kind: string; occ: number; exp: number }>();
  for (const b of data.behaviours) {
    const x = byBehaviour.get(b.behaviour) ?? { behaviour: b.behaviour, kind: b.kind, occ: 0, exp: 0 };
    x.occ += b.occurrences;
    x.exp += b.expected_without_system;
    byBehaviour.set(b.behaviour, x);
  }
  // as in summary.json: no estimate for a behaviour expected fewer than MIN_EXPECTED_OCCURRENCES times
  const rows = [...byBehaviour.values()]
    .filter((x) => x.exp >= MIN_EXPECTED_OCCURRENCES)
    .map((x) => ({
      behaviour: x.behaviour,
      effect: x.kind === "violation" ? "deterrence (violation)" : `chilling (${x.kind})`,
      value: 1 - x.occ / x.exp,
      // sampling noise as the run's summary counts it (occurrences nearly Poisson: se = 1/√expected)
      lo: 1 - x.occ / x.exp - NOISE_Z / Math.sqrt(x.exp),
      hi: 1 - x.occ / x.exp + NOISE_Z / Math.sqrt(x.exp),
    }));
  const noise = rows.filter((r) => r.lo <= 0 && r.hi >= 0).map((r) => r.behaviour);
  const effects = [...new Set(rows.map((r) => r.effect))];
  const title = "Deterrence and chilling per behaviour";
  if (rows.length === 0)
    return {
      id: "chilling",
      title,
      caption: `No behaviour is expected at least ${MIN_EXPECTED_OCCURRENCES} times with no system, too few to estimate deterrence or chilling.`,
      svg: "",
    };
  const svg = Plot.plot({
    document,
    width: WIDTH,
    height: Math.max(HEIGHT, 40 + rows.length * 26),
    style,
    marginLeft: 170,
    x: { label: "reduction below the no-system level", tickFormat: "%", grid: true },
    y: { label: null },
    marginTop: effects.length > 3 ? 46 : 30,
    color: { domain: effects, range: PALETTE },
    marks: [
      Plot.barX(rows, { x: "value", y: "behaviour", fill: "effect", sort: { y: "x", reverse: true } }),
      Plot.ruleY(rows, { y: "behaviour", x1: "lo", x2: "hi", stroke: "#333" }),
      Plot.ruleX([0]),
      ...legend(
        effects.map((e, i) => [e, PALETTE[i % PALETTE.length]] as [string, string]),
        { dy: effects.length > 3 ? -34 : -18 },
      ),
    ],
  });
  return {
    id: "chilling",
    title,
    caption: `How far each behaviour fell below its rate with no system: for violations that is deterrence, for lawful behaviour it is chilling. The lines span ±${NOISE_Z} standard errors of sampling noise; ${
      noise.length === rows.length
        ? "every bar's line crosses 0: no behaviour is distinguishable from its no-system level."
        : noise.length
          ? `the lines of ${noise.join(", ")} cross 0: those are not distinguishable from no change.`
          : "none crosses 0."
    }`,
    svg: svgOf(svg),
  };
}

export function appealQueue(data: RunData, document: Doc): Chart {
  const rows = totals(data.daily);
  const title = "Appeal queue over time";
  if (data.summary.appeals.filed === 0)
    return { id: "appeal-queue", title, caption: "No appeals were filed in this scenario (it has no appeal procedure, or nobody used it).", svg: "" };
  const svg = Plot.plot({
    ...frame(document),
    marginLeft: 64,
    y: { label: "people waiting for an appeal decision", grid: true },
    x: { label: "day" },
    marks: [Plot.lineY(rows, { x: "day", y: "queue", stroke: "#4c78a8", strokeWidth: 2 }), Plot.ruleY([0])],
  });
  return {
    id: "appeal-queue",
    title,
    caption: "People waiting for an appeal decision each day: a line that keeps rising means decisions come slower than appeals.",
    svg: svgOf(svg),
  };
}

export function wrongfulDurations(data: RunData, document: Doc): Chart {
  const hist = data.summary.appeals.wrongfulListingDurations ?? [];
  const a = data.summary.appeals;
  const title = "How long wrongful listings lasted";
  if (a.wrongfulListingsEnded === 0) {
    const open =
      a.wrongfulListingsOpenAtEnd > 0
        ? ` ${count(a.wrongfulListingsOpenAtEnd)} listing${a.wrongfulListingsOpenAtEnd === 1 ? " that was wrongful when it began was" : "s that were wrongful when they began were"} still running at the end${a.meanOpenWrongfulListingDays !== null ? `, open ${a.meanOpenWrongfulListingDays.toFixed(0)} days on average` : ""}.`
        : "";
    return { id: "wrongful-durations", title, caption: `No listing that was wrongful when it began ended during the run.${open}`, svg: "" };
  }
  const svg = Plot.plot({
    ...frame(document),
    marginLeft: 64,
    y: { label: "wrongful listings that ended", grid: true },
    x: { label: "days the listing lasted" },
    marks: [Plot.rectY(hist, { x1: "from", x2: "to", y: "count", fill: "#e45756" }), Plot.ruleY([0])],
  });
  return {
    id: "wrongful-durations",
    title,
    caption: `Listings that were wrongful when they began (a renewed listing counts as one) and ended during the run lasted ${a.meanWrongfulListingDays?.toFixed(0)} days on average (median ${a.medianWrongfulListingDays}); ${count(a.wrongfulListingsOpenAtEnd)} more were still running at the end${a.meanOpenWrongfulListingDays !== null ? `, open ${a.meanOpenWrongfulListingDays.toFixed(0)} days on average` : ""}. "Wrongful" here is judged when a listing begins; the wrongfully listed counts elsewhere are of each day's status.`,
    svg: svgOf(svg),
  };
}

export function scoreDistribution(data: RunData, document: Doc): Chart {
  const h = data.summary.scoreHistogram;
  const width = (h.max - h.min) / h.counts.length;
  const all = h.counts.map((count, k) => ({ from: h.min + k * width, to: h.min + (k + 1) * width, count }));
  const used = all.filter((r) => r.count > 0);
  // the coarse bins' edges for the axis; the fine histogram's for what the caption says
  const lo = used.length ? used[0].from : h.min;
  const hi = used.length ? used[used.length - 1].to : h.max;
  const lowest = h.lowest ?? lo;
  const highest = h.highest ?? hi;
  const pad = Math.max(width, (hi - lo) * 0.05);
  const svg = Plot.plot({
    ...frame(document),
    marginLeft: 64,
    y: { label: "people", grid: true },
    x: { label: "score at the end", domain: [Math.max(h.min, lo - pad), Math.min(h.max, hi + pad)] },
    marks: [Plot.rectY(used, { x1: "from", x2: "to", y: "count", fill: "#4c78a8" }), Plot.ruleY([0])],
  });
  const total = used.reduce((a, r) => a + r.count, 0);
  const start = data.summary.total.meanScore ?? h.min; // null only with no agents at all
  // from the 4,096-bin histogram: the 64 bins would leave out the one holding the mean
  const below = h.belowMean ?? used.filter((r) => r.to <= start).reduce((a, r) => a + r.count, 0);
  // as many decimals as the scale needs: 0 on 0–1,100, 2 on 1–5
  const range = h.max - h.min;
  const digits = range >= 100 ? 0 : range >= 10 ? 1 : 2;
  const at = (x: number) => x.toFixed(digits);
  const caption =
    used.length <= 1
      ? `Everyone ends with about the same score (${at(lowest)}–${at(highest)}): nothing in this scenario moves scores much.`
      : `Scores on the last day range from about ${at(lowest)} to ${at(highest)} (Gini ${data.summary.scoreGini.toFixed(3)}); ${((below / total) * 100).toFixed(1)} % of people end below the mean score of ${at(start)}.`;
  return { id: "scores", title: "Score distribution at the end", caption, svg: svgOf(svg) };
}

export function tierShares(data: RunData, document: Doc): Chart {
  const rows = Object.entries(data.summary.tierShares).map(([tier, share]) => ({ tier, share }));
  if (rows.length === 0) return { id: "tiers", title: "Tier shares at the end", caption: "This scenario defines no tiers.", svg: "" };
  const svg = Plot.plot({
    ...frame(document),
    marginLeft: 64,
    y: { label: "share of people", tickFormat: "%", grid: true },
    x: { label: "tier", domain: rows.map((r) => r.tier) },
    marks: [Plot.barY(rows, { x: "tier", y: "share", fill: "#72b7b2" }), Plot.ruleY([0])],
  });
  return {
    id: "tiers",
    title: "Tier shares at the end",
    caption: "The share of people in each named score band on the last day.",
    svg: svgOf(svg),
  };
}

export function tiesCut(data: RunData, document: Doc): Chart {
  let total = 0;
  const rows = totals(data.daily).map((t) => {
    total += t.tiesCut;
    return { day: t.day, cumulative: total };
  });
  const title = "Ties cut to listed contacts";
  if (total === 0) return { id: "ties-cut", title, caption: "No ties were cut (the scenario has no contact network or no tie cutting).", svg: "" };
  const svg = Plot.plot({
    ...frame(document),
    marginLeft: 64,
    y: { label: "ties cut (cumulative)", grid: true },
    x: { label: "day" },
    marks: [Plot.lineY(rows, { x: "day", y: "cumulative", stroke: "#b279a2", strokeWidth: 2 }), Plot.ruleY([0])],
  });
  return {
    id: "ties-cut",
    title,
    caption: "Contacts who dropped a tie to a listed person, added up over the run: the social cost of a listing beyond the person listed.",
    svg: svgOf(svg),
  };
}

/** Every chart of a run report, in reading order. */
export function runCharts(data: RunData, document: Doc): Chart[] {
  return [
    listedOverTime(data, document),
    precisionRecall(data, document),
    disparity(data, document),
    sanctionDays(data, document),
    chillingDeterrence(data, document),
    appealQueue(data, document),
    wrongfulDurations(data, document),
    scoreDistribution(data, document),
    tierShares(data, document),
    tiesCut(data, document),
  ];
}
