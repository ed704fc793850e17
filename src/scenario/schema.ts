import { z } from "zod";

// The scenario format. Every field has a default where a careful modeller would
// accept one, so a short file runs; the defaults are documented in docs/model.md.

const name = z.string().regex(/^[A-Za-z][A-Za-z0-9_-]*$/, "a name of letters, digits, '-' or '_', starting with a letter");
const probability = z.number().min(0).max(1);
const nonNegative = z.number().min(0);
// Scores are held as float32 (docs/model.md): values far beyond a billion would
// lose the precision a point needs, and beyond 3.4e38 become infinite.
const scoreValue = z.number().min(-1e9).max(1e9);
const share = z.number().min(0).max(1);
const days = z.number().int().min(1);

/** A map from a behaviour (or group, segment) name to a number. */
const numberMap = <T extends z.ZodType<number>>(value: T) => z.record(name, value);

export const Group = z
  .object({
    name,
    share: share.describe("share of the population in this group; shares sum to 1"),
  })
  .strict();

export const Segment = z
  .object({
    name,
    share: share.describe("share of the population in this segment; shares sum to 1"),
    kind: z.enum(["person", "firm"]).default("person").describe("firms have no household and no contacts"),
    presentDays: z.number().int().min(1).optional().describe("days each agent of the segment is present (a window at a random start); default: the whole run"),
  })
  .strict();

export const Households = z
  .object({
    sizes: z
      .record(z.string().regex(/^[1-9][0-9]*$/, "a household size (1, 2, 3, ...)"), share)
      .describe("probability of each household size; probabilities sum to 1"),
  })
  .strict();

export const Network = z
  .object({
    degree: z.number().int().min(2).max(1000).describe("mean number of contacts (even: the ring lattice has degree/2 on each side)"),
    rewire: probability.default(0.1).describe("small-world rewiring probability β"),
    homophily: probability.nullable().default(null).describe("share of ties kept inside the group; null: ties ignore groups"),
  })
  .strict();

export const Population = z
  .object({
    agents: z.number().int().min(10).max(1e11).default(10_000).describe("at most 10^9 in one process; more as regions (credsim run --regions)"),
    groups: z
      .array(Group)
      .min(1)
      .max(32)
      .default([{ name: "everyone", share: 1 }]),
    segments: z
      .array(Segment)
      .min(1)
      .max(8)
      .default([{ name: "resident", share: 1, kind: "person" }]),
    households: Households.nullable().default(null),
    network: Network.nullable().default(null),
  })
  .strict();

export const BehaviourKind = z.enum(["violation", "disfavored", "rewarded", "access"]);

export const Behaviour = z
  .object({
    kind: BehaviourKind,
    base: probability.describe("daily probability per agent with no system in place"),
    groupMult: numberMap(nonNegative).default({}).describe("multiplier of base per group (default 1)"),
    segmentMult: numberMap(nonNegative).default({}).describe("multiplier of base per segment (default 1)"),
    deter: probability.default(0).describe("how strongly fear suppresses it: p = base·mult·(1 − deter·fear)"),
    domain: name.default("general").describe("domain of life; a listing caused by it restricts this domain when listing is not joint"),
    misattribute: probability.default(0).describe("probability a recorded occurrence is attributed to another agent of the same group"),
  })
  .strict();

export const Source = z
  .object({
    detect: numberMap(probability).default({}).describe("probability this source records an occurrence, per behaviour"),
    falseRate: numberMap(probability).default({}).describe("false records per agent-day, per behaviour"),
    groupFalseMult: numberMap(nonNegative).default({}).describe("multiplier of false-record rates per group (default 1)"),
    listedDetectMult: nonNegative.default(1).describe("detection multiplier while the agent is listed (inspections)"),
    listedFalseMult: nonNegative.default(1).describe("false-record multiplier while the agent is listed"),
  })
  .strict();

export const Review = z
  .object({
    rate: numberMap(probability).default({}).describe("probability a record of this behaviour is reviewed by a person"),
    catch: probability.default(0.9).describe("probability a reviewed false record is discarded"),
  })
  .strict();

export const Tier = z.object({ name, min: scoreValue }).strict();

export const Scoring = z
  .object({
    start: scoreValue.default(1000).describe("s0: starting score and the level scores revert to"),
    min: scoreValue.default(0),
    max: scoreValue.default(1100),
    reversion: probability.default(0.01).describe("ρ: share of the gap to s0 closed each day"),
    points: numberMap(scoreValue).default({}).describe("points per kept record, per behaviour (negative: penalty)"),
    association: scoreValue.min(0).default(0).describe("points lost per day per listed contact"),
    tiers: z.array(Tier).default([]).describe("named score bands, each from its min up to the next tier's min"),
  })
  .strict();

export const Cure = z
  .object({
    rate: probability.describe("daily probability that a listed agent pays or repairs and is removed"),
    score: z.enum(["start", "keep"]).default("start").describe("start: the score returns to s0 on cure; keep: it stays"),
  })
  .strict();

export const Listing = z
  .object({
    enterBelow: scoreValue.default(950).describe("a score below this lists the agent"),
    // listings end on day t + days, held as a 32-bit integer: a million days is longer than any run
    days: days.max(1_000_000).default(180).describe("length of a listing"),
    direct: numberMap(z.number().int().min(1).max(1_000_000)).default({}).describe("a kept record of this behaviour lists for this many days"),
    joint: z.boolean().default(true).describe("true: a listed agent is under every restriction; false: only its listing's domain"),
    cure: Cure.nullable().default(null),
  })
  .strict();

export const Restriction = z
  .object({
    domain: name.default("general"),
    household: z.boolean().default(false).describe("also falls on the listed agent's household members"),
    harm: nonNegative.default(1).describe("weight of one day under this restriction in harm-weighted sanction-days"),
    blocks: z.array(name).default([]).describe("behaviours a person under this restriction cannot perform"),
  })
  .strict();

export const Fear = z
  .object({
    decay: probability.default(0.05).describe("ψ: share of fear that fades each day"),
    self: nonNegative.default(0.3).describe("φ_self: fear added by a penalising record on oneself"),
    social: nonNegative.default(0.5).describe("φ_social: fear added per share of contacts newly listed"),
    perceivedSurveillance: probability.default(0.2).describe("fear never falls below this floor (under open and opaque rules alike)"),
  })
  .strict();

export const Ties = z
  .object({
    cut: probability.default(0).describe("daily probability of cutting a tie to a listed contact"),
  })
  .strict();

export const Appeals = z
  .object({
    fileRate: probability.default(0.02).describe("daily probability a listed agent not already waiting files an appeal"),
    capacityPerMillion: nonNegative.max(1e6).default(100).describe("cases decided per day per million agents"),
    overturnWrongful: probability.default(0.8),
    overturnRightful: probability.default(0.05),
  })
  .strict();

export const Insiders = z
  .object({
    perMillion: nonNegative.max(1e6).describe("insiders per million agents"),
    targets: z.number().int().min(1).max(1e6).default(3),
    everyDays: days.default(30),
    behaviour: name.describe("the behaviour insiders record falsely"),
  })
  .strict();

export const Perks = z
  .object({
    above: scoreValue.describe("agents with a score at or above this hold the perks (red list)"),
    name: z.string().default("perks"),
  })
  .strict();

export const Breach = z
  .object({
    day: z.number().int().min(0).describe("day the records are exposed"),
    share: probability.describe("share of people whose whole file is exposed"),
  })
  .strict();

export const Vote = z
  .object({
    threshold: probability.default(0.5).describe("share of votes a rule needs to be adopted"),
    support: numberMap(probability).default({}).describe("share of citizens who vote to penalise or reward each behaviour"),
    groupSupport: z.record(name, numberMap(probability)).default({}).describe("support per group, overriding `support`"),
  })
  .strict();

export const Ratings = z
  .object({
    encounterRate: probability.describe("daily probability an agent is rated by one of its contacts"),
    low: probability.default(0.1).describe("probability a rating is low"),
    high: probability.default(0.3).describe("probability a rating is high"),
    lowPoints: scoreValue.default(-10),
    highPoints: scoreValue.default(5),
    statusBias: nonNegative.default(0).describe("how much more raters favour high scorers: rates scale by 1 ± bias·(s − s0)/(max − min)"),
    raterWeight: z.boolean().default(false).describe("a rating counts (score − min)/(s0 − min) times: high scorers' ratings count more"),
    groupLowMult: numberMap(nonNegative).default({}).describe("multiplier of low ratings per rated agent's group (bias)"),
  })
  .strict();

export const Exempt = z
  .object({
    segments: z.array(name).default([]),
    groups: z.array(name).default([]),
  })
  .strict();

export const Reference = z
  .object({
    title: z.string(),
    publisher: z.string().optional(),
    year: z.number().int().optional(),
    url: z.string().optional(),
    note: z.string().optional(),
  })
  .strict();

export const Scenario = z
  .object({
    name: name.default("scenario"),
    title: z.string().optional(),
    description: z.string().optional(),
    references: z.array(Reference).default([]),
    assumptions: z.array(z.string()).default([]),
    days: days.max(100_000).default(365),
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 32 - 1)
      .default(1),
    transparency: z.enum(["open", "opaque"]).default("open"),
    population: Population.default(Population.parse({})),
    behaviours: z
      .record(name, Behaviour)
      .refine((m) => Object.keys(m).length > 0, "at least one behaviour")
      .refine((m) => Object.keys(m).length <= 64, "at most 64 behaviours"),
    sources: z.record(name, Source).default({}),
    review: Review.default(Review.parse({})),
    scoring: Scoring.default(Scoring.parse({})),
    listing: Listing.default(Listing.parse({})),
    restrictions: z.record(name, Restriction).default({}),
    fear: Fear.nullable().default(null),
    ties: Ties.default(Ties.parse({})),
    appeals: Appeals.nullable().default(null),
    insiders: Insiders.nullable().default(null),
    exempt: Exempt.default(Exempt.parse({})),
    perks: Perks.nullable().default(null),
    breach: Breach.nullable().default(null),
    vote: Vote.nullable().default(null),
    ratings: Ratings.nullable().default(null),
  })
  .strict();

export type Scenario = z.output<typeof Scenario>;
export type ScenarioInput = z.input<typeof Scenario>;
export type Behaviour = z.output<typeof Behaviour>;
export type Source = z.output<typeof Source>;
export type BehaviourKind = z.output<typeof BehaviourKind>;
