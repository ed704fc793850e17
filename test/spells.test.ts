import { describe, expect, it } from "vitest";
import { EV, History } from "../src/engine/history.js";
import { compileModel, type Model } from "../src/engine/model.js";
import { arrivalDay, presentDays } from "../src/engine/population.js";
import { runSeparable } from "../src/engine/separable.js";
import { Simulation } from "../src/engine/simulate.js";
import { countersEqual, scenarioFromYaml, sum } from "./helpers.js";

// Exact checks of listing spells and of who bears what, from the full event log
// of every agent: renewal at a listing's end, harm of the union of restrictions,
// what a cure counts, no records on absent agents, scores against thresholds.

interface Event {
  day: number;
  agent: number;
  type: number;
  a: number;
  b: number;
  v: number;
}

function runLogged(yaml: string): { m: Model; sim: Simulation; c: ReturnType<Simulation["run"]>; events: Event[] } {
  const m = compileModel(scenarioFromYaml(yaml));
  const history = new History(new Uint8Array(m.agents).fill(1));
  const sim = new Simulation(m, { history });
  const c = sim.run();
  const events: Event[] = [];
  for (let k = 0; k < history.count; k++)
    events.push({ day: history.day[k], agent: history.agent[k], type: history.type[k], a: history.a[k], b: history.b[k], v: history.v[k] });
  return { m, sim, c, events };
}

// Scores fall far below the threshold and never come back; listings last 5 days.
const STAYS_LISTED_ALONE = `
days: 60
population: { agents: 400 }
behaviours:
  x: { kind: violation, base: 0.02 }
sources:
  s: { detect: { x: 1 } }
scoring: { reversion: 0, points: { x: -200 } }
listing: { enterBelow: 950, days: 5 }
`;
// ... with contacts who fear, and appeals never served
const STAYS_LISTED = `${STAYS_LISTED_ALONE.replace("{ agents: 400 }", "{ agents: 400, network: { degree: 4 } }")}appeals: { fileRate: 0.5, capacityPerMillion: 0 }
fear: { social: 0.5 }
`;

describe("a listing that ends with the score still below the threshold is renewed", () => {
  it("as one spell: one new listing per person, no appeal dropped, renewals logged every period", () => {
    const { c, events } = runLogged(STAYS_LISTED);
    const everListed = sum(c.everListed);
    expect(everListed).toBeGreaterThan(100);
    // nobody leaves the list, so each person is listed once and keeps a pending appeal
    expect(sum(c.newListings)).toBe(everListed);
    expect(sum(c.appealsWithdrawn)).toBe(0);
    expect(sum(c.appealsFiled)).toBeGreaterThan(everListed / 2);
    expect(c.waiting.at(-1)).toBe(sum(c.appealsFiled)); // none served (no capacity), none dropped
    expect(events.filter((e) => e.type === EV.unlisted)).toHaveLength(0);
    const renewals = events.filter((e) => e.type === EV.extended && e.a === 0);
    expect(renewals.length).toBeGreaterThan(everListed);
    for (const e of renewals) expect(e.v).toBe(e.day + 5);
  });

  it("and the per-agent engine counts it alike (no appeals, no network)", () => {
    const m = compileModel(scenarioFromYaml(STAYS_LISTED_ALONE));
    const a = runSeparable(m);
    expect(sum(a.everListed)).toBeGreaterThan(100);
    expect(sum(a.newListings)).toBe(sum(a.everListed));
    expect(countersEqual(a, new Simulation(m).run())).toBe(true);
  });
});

describe("a listing that ends the day a record lists directly again", () => {
  it("is renewed too, and the log says which cause renewed it", () => {
    // no points: only direct records list, for 5 days; a record on the last day renews
    const yaml = STAYS_LISTED_ALONE.replace("base: 0.02", "base: 0.3")
      .replace("points: { x: -200 }", "points: { x: 0 }")
      .replace("days: 5 }", "days: 5, direct: { x: 5 } }");
    const m = compileModel(scenarioFromYaml(yaml));
    const history = new History(new Uint8Array(m.agents).fill(1));
    const c = runSeparable(m, undefined, undefined, history);
    const causes = new Set<number>();
    for (let k = 0; k < history.count; k++) if (history.type[k] === EV.extended) causes.add(history.a[k]);
    expect([...causes].sort()).toEqual([1, 2]); // lengthened while listed, renewed at the end; never by the score
    expect(countersEqual(c, new Simulation(m).run())).toBe(true);
  });
});

describe("harm", () => {
  it("of a listed agent is the union of its own restrictions and those its relatives' listings bring on the household", () => {
    // households of two; either violation lists directly for the whole run, in its own domain
    const { m, sim, c, events } = runLogged(`
days: 100
population: { agents: 2000, households: { sizes: { "2": 1 } } }
behaviours:
  fa: { kind: violation, base: 0.01, domain: A }
  fb: { kind: violation, base: 0.01, domain: B }
  use: { kind: access, base: 0.5 }
sources:
  s: { detect: { fa: 1, fb: 1 } }
listing: { enterBelow: -1, direct: { fa: 1000, fb: 1000 }, joint: false }
scoring: { min: -10 }
restrictions:
  rA: { domain: A, household: true, harm: 1 }
  rB: { domain: B, household: true, harm: 2, blocks: [use] }
`);
    const harmOf = [0, 0, 0];
    const A = m.domains.indexOf("A");
    const B = m.domains.indexOf("B");
    harmOf[A] = 1;
    harmOf[B] = 2;
    const domain = new Int32Array(m.agents).fill(-1);
    const { householdOf, householdStart } = sim.population;
    const hh = householdOf as Int32Array;
    const hs = householdStart as Int32Array;
    let k = 0;
    let both = 0;
    for (let t = 0; t < m.days; t++) {
      for (; k < events.length && events[k].day === t; k++) if (events[k].type === EV.listed) domain[events[k].agent] = events[k].b;
      let harm = 0;
      for (let i = 0; i < m.agents; i++) {
        const under = new Set<number>();
        if (domain[i] >= 0) under.add(domain[i]);
        for (let j = hs[hh[i]]; j < hs[hh[i] + 1]; j++) if (domain[j] >= 0) under.add(domain[j]);
        if (domain[i] >= 0 && under.size === 2) both++;
        for (const d of under) harm += harmOf[d];
      }
      expect(c.harm[t]).toBe(harm);
    }
    expect(both).toBeGreaterThan(1000); // listed agent-days with a relative listed in the other domain
  });
});

describe("cure", () => {
  it("counts real listings ended; the shadow world's own cures are not counted", () => {
    const yaml = `
days: 200
population: { agents: 3000, segments: [{ name: r, share: 0.5 }, { name: elite, share: 0.5 }] }
exempt: { segments: [elite] }
behaviours:
  debt: { kind: violation, base: 0.004 }
sources:
  bank: { detect: { debt: 0.3 } }
listing: { direct: { debt: 365 }, cure: { rate: 0.02 } }
`;
    const { c, events } = runLogged(yaml);
    const curedEvents = events.filter((e) => e.type === EV.cured).length;
    const endedByCure = events.filter((e) => e.type === EV.unlisted && e.a === 2).length;
    expect(endedByCure).toBeGreaterThan(50);
    expect(sum(c.cured)).toBe(endedByCure);
    expect(curedEvents).toBe(endedByCure);
    // the exempt half is shadow-listed only: its cures end shadow listings, counted nowhere
    const exemptOnly = compileModel(scenarioFromYaml(yaml.replace("share: 0.5 }, { name: elite, share: 0.5", "share: 0 }, { name: elite, share: 1")));
    const e = runSeparable(exemptOnly);
    expect(sum(e.shadowListed)).toBeGreaterThan(0);
    expect(sum(e.cured)).toBe(0);
    expect(countersEqual(e, new Simulation(exemptOnly).run())).toBe(true);
  });
});

describe("absent agents", () => {
  it("get no records of any kind: not from misattribution, not from insiders", () => {
    const { m, sim, events } = runLogged(`
days: 100
population:
  agents: 1000
  segments: [{ name: r, share: 0.5 }, { name: v, share: 0.5, presentDays: 5 }]
behaviours:
  x: { kind: violation, base: 0.05, misattribute: 0.5 }
sources:
  s: { detect: { x: 1 } }
insiders: { perMillion: 20000, targets: 3, everyDays: 10, behaviour: x }
`);
    const records = events.filter((e) => e.type === EV.record);
    let fromOthers = 0;
    for (const e of records) {
      const cls = sim.population.cls[e.agent];
      const arrive = arrivalDay(m, e.agent, cls);
      expect(e.day >= arrive && e.day < arrive + presentDays(m, cls)).toBe(true);
      if (e.v === 0) fromOthers++; // misattributed or an insider's
    }
    expect(fromOthers).toBeGreaterThan(500);
  });
});
