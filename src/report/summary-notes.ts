import type { Summary } from "../engine/metrics.js";

// The results a run's table does not hold, one line each: printed under the table
// by `credsim run` and listed in report.html, so both say the same.

/** How many standard errors of sampling noise an effect must pass to be named. */
export const NOISE_Z = 3;

export const fmtInt = (n: number) => Math.round(n).toLocaleString("en");
export const fmtShare = (x: number | null) => (x === null ? "–" : `${(x * 100).toFixed(x !== 0 && Math.abs(x) < 0.001 ? 3 : 2)} %`);

export function summaryNotes(s: Summary): string[] {
  const lines: string[] = [];
  // Only estimates beyond sampling noise: with no fear, every one of them is noise.
  const beyondNoise = (b: string, v: number | null) => v !== null && Math.abs(v) >= NOISE_Z * (s.effectNoise?.[b] ?? 0);
  const effect = (b: string, v: number, what: string) => `${b} ${fmtShare(Math.abs(v))} ${v >= 0 ? "fewer" : "more"} (${what})`;
  const effects = [
    ...Object.entries(s.deterrence).flatMap(([b, v]) => (v !== null && beyondNoise(b, v) ? [effect(b, v, "deterrence")] : [])),
    ...Object.entries(s.chilling).flatMap(([b, v]) => (v !== null && beyondNoise(b, v) ? [effect(b, v, "chilling")] : [])),
  ];
  lines.push(
    effects.length
      ? `behaviour against its no-system level, beyond sampling noise (${NOISE_Z} standard errors): ${effects.join(", ")}`
      : `no behaviour departs from its no-system level by more than sampling noise (${NOISE_Z} standard errors)`,
  );
  const a = s.appeals;
  if (a.filed > 0 || a.queueAtEnd > 0) {
    lines.push(
      `appeals: ${fmtInt(a.filed)} filed, ${fmtInt(a.served)} decided (${fmtInt(a.overturnedWrongful + a.overturnedRightful)} overturned), ${fmtInt(a.withdrawn)} dropped because the listing ended first, ${fmtInt(a.queueAtEnd)} waiting at the end`,
    );
  }
  if (a.wrongfulListingsEnded > 0 || a.wrongfulListingsOpenAtEnd > 0) {
    const ended =
      a.wrongfulListingsEnded > 0
        ? `${fmtInt(a.wrongfulListingsEnded)} ended after ${a.meanWrongfulListingDays?.toFixed(0)} days on average (median ${a.medianWrongfulListingDays})`
        : "none ended";
    const open =
      a.wrongfulListingsOpenAtEnd > 0
        ? `, ${fmtInt(a.wrongfulListingsOpenAtEnd)} still open at the end after ${a.meanOpenWrongfulListingDays?.toFixed(0)} days on average`
        : "";
    lines.push(`listings wrongful when they began: ${ended}${open}`);
  }
  if (s.perks && s.total.perkDays === 0) lines.push(`perks (score ≥ ${s.perks.above}): nobody reached them`);
  else if (s.perks)
    lines.push(
      `perks (score ≥ ${s.perks.above}): share of perk-days ${Object.entries(s.perks.shareOfPerkDays)
        .map(([g, v]) => `${g} ${fmtShare(v)}`)
        .join(", ")}`,
    );
  if (s.total.ratingsLow + s.total.ratingsHigh > 0)
    lines.push(
      `peer ratings received: ${fmtInt(s.total.ratingsLow)} low, ${fmtInt(s.total.ratingsHigh)} high (ratings are opinions, not records of behaviour: the shadow world ignores them)`,
    );
  if (s.total.cured > 0) lines.push(`cured (paid or repaired, removed from the list): ${fmtInt(s.total.cured)}`);
  if (s.total.exposedPeople > 0)
    lines.push(
      `breach: ${fmtInt(s.total.exposedPeople)} people exposed, ${fmtInt(s.total.exposedRecords)} records (${fmtInt(s.total.exposedFalseRecords)} false)`,
    );
  if (s.vote)
    lines.push(
      `vote: ${Object.entries(s.vote)
        .map(([b, v]) => `${b} ${fmtShare(v.yes)} ${v.adopted ? "adopted" : "rejected"}`)
        .join(", ")}`,
    );
  if (s.tieScoreCorrelation !== null) lines.push(`score correlation across ties ${s.tieScoreCorrelation.toFixed(3)}; ties cut ${fmtInt(s.total.tiesCut)}`);
  if (s.mobility && s.mobility.climbedFromBottomTwo !== null)
    lines.push(`of those in the two lowest tiers at day ${s.mobility.midDay}, ${fmtShare(s.mobility.climbedFromBottomTwo)} ended above both`);
  lines.push(
    `score Gini ${s.scoreGini.toFixed(4)}${
      Object.keys(s.tierShares).length
        ? `; tiers ${Object.entries(s.tierShares)
            .map(([t, v]) => `${t} ${fmtShare(v)}`)
            .join(", ")}`
        : ""
    }`,
  );
  return lines;
}
