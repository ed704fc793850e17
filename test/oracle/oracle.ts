// A plain, obviously correct day-by-day implementation of MODEL.md (with the
// choices docs/model.md records), kept only as a test oracle. It visits every
// agent and every behaviour every day, holds agents as objects and draws from its
// own generator, so it shares no sampling code with the engines. It reuses the
// engine's population and network builders: the structure is an input here, the
// dynamics are what is docked.

import { type Counters, newCounters, SCORE_BINS } from "../../src/engine/counters.js";
import { KIND, type Model } from "../../src/engine/model.js";
import { buildNetwork } from "../../src/engine/network.js";
import { arrivalDay, buildPopulation, presentDays } from "../../src/engine/population.js";
import type { Scenario } from "../../src/scenario/schema.js";

/** sfc32: a small, well-tested generator, unrelated to the engines' counter-based streams. */
export function sfc32(seed: number): () => number {
  let a = 0x9e3779b9;
  let b = 0x243f6a88;
  let c = 0xb7e15162;
  let d = seed >>> 0;
  const next = () => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 20; i++) next();
  return next;
}

interface Agent {
  cls: number;
  group: number;
  exempt: boolean;
  household: number;
  score: number;
  shadow: number;
  until: number;
  shadowUntil: number;
  since: number;
  wrongStart: boolean;
  dom: number;
  fear: number;
  waiting: boolean;
  everListed: boolean;
  everWrongful: boolean;
  hasFalse: boolean;
  hasDisfavored: boolean;
  contacts: Set<number>;
  arrive: number;
  stay: number;
  kept: number;
  keptFalse: number;
  midTier: number;
  /** Its listing reached its end today: renewed if step 8 lists it again, else the spell closes. */
  expired: boolean;
}

interface Day {
  points: number;
  shadowPoints: number;
  direct: number;
  shadowDirect: number;
  worst: number;
  penal: boolean;
}

/** `restrictions`: the scenario's, from which harm is computed independently of the model's tables. */
export function runOracle(m: Model, seed: number, scenarioRestrictions: Scenario["restrictions"]): Counters {
  const rand = sfc32(seed);
  const c = newCounters(m);
  const pop = buildPopulation(m);
  const net = m.network ? buildNetwork(m, pop) : null;
  const N = m.agents;
  const { G, B, D, days } = m;
  const agents: Agent[] = [];
  for (let i = 0; i < N; i++) {
    const cls = pop.cls[i];
    const contacts = new Set<number>();
    if (net) for (let e = net.start[i]; e < net.start[i + 1]; e++) contacts.add(net.adj[e]);
    agents.push({
      cls,
      group: m.classGroup[cls],
      exempt: m.exemptClass[cls] === 1,
      household: pop.householdOf ? pop.householdOf[i] : -1,
      score: m.s0,
      shadow: m.s0,
      until: -1,
      shadowUntil: -1,
      since: 0,
      wrongStart: false,
      dom: 0,
      fear: m.fear ? m.fear.floor : 0,
      waiting: false,
      everListed: false,
      everWrongful: false,
      hasFalse: false,
      hasDisfavored: false,
      contacts,
      arrive: arrivalDay(m, i, cls),
      stay: presentDays(m, cls),
      kept: 0,
      keptFalse: 0,
      midTier: -1,
      expired: false,
    });
    c.agents[m.classGroup[cls]]++;
    c.classAgents[cls]++;
    c.classAgentDays[cls] += presentDays(m, cls);
  }
  const householdMembers = new Map<number, number[]>();
  agents.forEach((a, i) => {
    if (a.household >= 0) householdMembers.set(a.household, [...(householdMembers.get(a.household) ?? []), i]);
  });
  const listed = (i: number, t: number) => agents[i].until > t;

  // insiders
  const ins = m.insiders;
  const insiderFirst: number[] = [];
  const insiderTargets: number[][] = [];
  if (ins) {
    const whole = Math.floor(ins.count);
    const count = whole + (rand() < ins.count - whole ? 1 : 0);
    for (let k = 0; k < count; k++) insiderFirst.push(Math.floor(rand() * ins.everyDays));
  }
  const disfavoredPool: number[] = [];
  const inPool = new Set<number>();
  const queue: { agent: number; since: number }[] = [];
  let credit = 0;

  for (let t = 0; t < days; t++) {
    const today: Day[] = agents.map(() => ({ points: 0, shadowPoints: 0, direct: 0, shadowDirect: 0, worst: -1, penal: false }));

    // 1. expiry
    agents.forEach((a) => {
      a.expired = a.until === t;
    });

    // start-of-day state read by steps 2–7
    const listedContacts = agents.map((a) => [...a.contacts].filter((j) => listed(j, t)).length);
    const shadowListedContacts = agents.map((a) => [...a.contacts].filter((j) => agents[j].shadowUntil > t).length);
    const householdMask = new Map<number, number>();
    agents.forEach((a, i) => {
      if (a.household >= 0 && listed(i, t) && m.spillDomain[a.dom]) householdMask.set(a.household, (householdMask.get(a.household) ?? 0) | (1 << a.dom));
    });

    const keep = (i: number, b: number, isTrue: boolean) => {
      const a = agents[i];
      if (t < a.arrive || t >= a.arrive + a.stay) return; // absent: no records of any kind
      if (isTrue) c.recordsTrue[t * G + a.group]++;
      else {
        c.recordsFalse[t * G + a.group]++;
        a.hasFalse = true;
      }
      if (m.breach && t < m.breach.day) {
        a.kept++;
        if (!isTrue) a.keptFalse++;
      }
      if (m.kind[b] === KIND.disfavored) a.hasDisfavored = true;
      if (a.exempt) return;
      const d = today[i];
      d.points += m.points[b];
      d.direct = Math.max(d.direct, m.direct[b]);
      if (m.penalising[b]) {
        d.penal = true;
        if (d.worst < 0 || m.points[b] < m.points[d.worst]) d.worst = b;
      }
    };

    // 5. insiders
    if (ins) {
      insiderFirst.forEach((first, k) => {
        if (t < first || (t - first) % ins.everyDays !== 0) return;
        if (t === first) {
          insiderTargets[k] = [];
          for (let x = 0; x < ins.targets; x++) {
            insiderTargets[k].push(disfavoredPool.length > x ? disfavoredPool[Math.floor(rand() * disfavoredPool.length)] : Math.floor(rand() * N));
          }
        }
        for (const target of insiderTargets[k]) {
          if (m.review[ins.behaviour] > 0 && rand() < m.review[ins.behaviour] && rand() < m.reviewCatch) c.recordsDiscarded[t * G + agents[target].group]++;
          else keep(target, ins.behaviour, false);
        }
      });
    }

    // 2–4, 6 (present agents only; rates may depend on being listed)
    for (let i = 0; i < N; i++) {
      const a = agents[i];
      const g = a.group;
      if (t < a.arrive || t >= a.arrive + a.stay) continue;
      const ls = m.L2 === 2 && listed(i, t) ? 1 : 0;
      const row = (a.cls * m.L2 + ls) * m.M;
      for (let b = 0; b < B; b++) {
        const p = Math.min(1, m.pRaw[a.cls * B + b] * (1 - m.deter[b] * a.fear));
        if (!(rand() < p)) continue;
        c.occurrences[(t * G + g) * B + b]++;
        const blocked = (listed(i, t) && m.blockOwn[a.dom * B + b] === 1) || ((householdMask.get(a.household) ?? 0) & m.blockHouseholdMask[b]) !== 0;
        if (blocked) {
          c.denied[t * G + g]++;
          c.deniedByBehaviour[(t * G + g) * B + b]++;
          continue;
        }
        today[i].shadowPoints += m.points[b];
        today[i].shadowDirect = Math.max(today[i].shadowDirect, m.direct[b]);
        if (!(rand() < m.detect[b * m.L2 + ls])) continue;
        const gs = pop.groupStart[g];
        const size = pop.groupStart[g + 1] - gs;
        if (rand() < m.misattribute[b] && size > 1) {
          let j = i;
          while (j === i) j = gs + Math.floor(rand() * size);
          if (rand() < m.review[b] && rand() < m.reviewCatch) c.recordsDiscarded[t * G + g]++;
          else keep(j, b, false);
        } else keep(i, b, true);
      }
      // false records, per source channel; the rating channel
      for (let ch = B; ch < m.M; ch++) {
        if (!(rand() < m.chanP[row + ch])) continue;
        const b = m.chanBehaviour[ch];
        if (b < 0) {
          rateEncounter(i);
          continue;
        }
        if (rand() < m.review[b] && rand() < m.reviewCatch) c.recordsDiscarded[t * G + g]++;
        else keep(i, b, false);
      }
    }

    function rateEncounter(i: number) {
      const rt = m.ratings;
      const a = agents[i];
      if (!rt || a.contacts.size === 0) return;
      const list = [...a.contacts].sort((x, y) => x - y);
      const j = list[Math.floor(rand() * list.length)];
      const range = m.sMax - m.sMin;
      const si = a.score;
      const sj = agents[j].score;
      const pLow = Math.min(1, rt.low * rt.groupLowMult[a.group] * Math.max(0, 1 + (rt.statusBias * (m.s0 - si)) / range));
      const pHigh = Math.min(1 - pLow, rt.high * Math.max(0, 1 + (rt.statusBias * (si - m.s0)) / range));
      const weight = rt.raterWeight ? Math.max(0, (sj - m.sMin) / (m.s0 - m.sMin)) : 1;
      const u = rand();
      if (u < pLow) {
        c.ratingsLow[t * G + a.group]++;
        if (!a.exempt) {
          today[i].points += rt.lowPoints * weight;
          if (rt.lowPoints < 0) today[i].penal = true;
        }
      } else if (u < pLow + pHigh) {
        c.ratingsHigh[t * G + a.group]++;
        if (!a.exempt) today[i].points += rt.highPoints * weight;
      }
    }

    // 7. score
    const clamp = (v: number) => Math.min(m.sMax, Math.max(m.sMin, v));
    agents.forEach((a, i) => {
      if (!a.exempt) a.score = clamp(m.s0 + (1 - m.rho) * (a.score + today[i].points - m.association * listedContacts[i] - m.s0));
      a.shadow = clamp(m.s0 + (1 - m.rho) * (a.shadow + today[i].shadowPoints - m.association * shadowListedContacts[i] - m.s0));
    });

    // 8. listing, shadow first (a listing is wrongful if the shadow does not list)
    const newlyListed = new Set<number>();
    agents.forEach((a, i) => {
      const d = today[i];
      if (!(a.shadowUntil > t)) {
        let u = a.shadow < m.enterBelow ? t + m.listDays : -1;
        if (d.shadowDirect > 0) u = Math.max(u, t + d.shadowDirect);
        if (u > t) a.shadowUntil = u;
      } else if (d.shadowDirect > 0) a.shadowUntil = Math.max(a.shadowUntil, t + d.shadowDirect);
      if (a.exempt) return;
      if (!(a.until > t)) {
        let u = a.score < m.enterBelow ? t + m.listDays : -1;
        if (d.direct > 0) u = Math.max(u, t + d.direct);
        // listed again the day its listing ended: the same spell goes on
        if (u > t && a.expired) a.until = u;
        else if (u > t) {
          a.until = u;
          a.since = t;
          a.dom = d.worst >= 0 ? m.domainOf[d.worst] : 0;
          a.wrongStart = !(a.shadowUntil > t);
          c.newListings[t * G + a.group]++;
          if (!a.everListed) c.everListed[a.group]++;
          a.everListed = true;
          if (a.wrongStart && !a.everWrongful) c.everWrongful[a.group]++;
          if (a.wrongStart) a.everWrongful = true;
          newlyListed.add(i);
        }
      } else if (d.direct > 0) a.until = Math.max(a.until, t + d.direct);
    });
    agents.forEach((a) => {
      if (a.expired && !(a.until > t)) endSpell(a, t);
      a.expired = false;
    });

    // 10. fear
    if (m.fear) {
      const fm = m.fear;
      agents.forEach((a, i) => {
        let f = (1 - fm.decay) * a.fear + (today[i].penal ? fm.self : 0);
        if (a.contacts.size > 0) f += (fm.social * [...a.contacts].filter((j) => newlyListed.has(j)).length) / a.contacts.size;
        a.fear = Math.min(1, Math.max(fm.floor, f));
      });
    }

    // 10. ties: each agent cuts each tie to a listed contact with probability cutTie
    if (m.cutTie > 0) {
      agents.forEach((a, j) => {
        if (!listed(j, t)) return;
        for (const i of [...a.contacts]) {
          if (!a.contacts.has(i)) continue;
          if (rand() < m.cutTie) {
            a.contacts.delete(i);
            agents[i].contacts.delete(j);
            c.tiesCut[t * G + agents[i].group]++;
          }
        }
      });
    }

    // 10. appeals
    if (m.appeals) {
      const ap = m.appeals;
      agents.forEach((a, i) => {
        if (listed(i, t) && !a.waiting && rand() < ap.fileRate) {
          a.waiting = true;
          queue.push({ agent: i, since: a.since });
          c.appealsFiled[t * G + a.group]++;
        }
      });
      credit += ap.capacityPerDay;
      let capacity = Math.floor(credit);
      credit -= capacity;
      while (capacity > 0 && queue.length > 0) {
        const q = queue.shift() as { agent: number; since: number };
        const a = agents[q.agent];
        if (!listed(q.agent, t) || a.since !== q.since || !a.waiting) continue;
        capacity--;
        a.waiting = false;
        c.appealsServed[t * G + a.group]++;
        const wrongful = !(a.shadowUntil > t);
        if (rand() < (wrongful ? ap.overturnWrongful : ap.overturnRightful)) {
          if (wrongful) c.overturnedWrongful[t * G + a.group]++;
          else c.overturnedRightful[t * G + a.group]++;
          endSpell(a, t);
          a.until = t;
          a.score = a.exempt ? m.s0 : a.shadow;
        }
      }
    }
    // 10. cure: each day listed (in either world), pay or repair with probability rate
    if (m.cure) {
      const cure = m.cure;
      agents.forEach((a, i) => {
        const isListed = listed(i, t);
        const isShadow = a.shadowUntil > t;
        if (!(isListed || isShadow) || !(rand() < cure.rate)) return;
        if (isListed) {
          c.cured[t * G + a.group]++;
          endSpell(a, t);
          a.until = t;
        }
        if (isShadow) a.shadowUntil = t;
        if (cure.resetScore) {
          if (!a.exempt) a.score = m.s0;
          a.shadow = m.s0;
        }
      });
    }

    agents.forEach((a, i) => {
      if (a.hasDisfavored && !inPool.has(i)) {
        inPool.add(i);
        disfavoredPool.push(i);
      }
    });

    // 11. observe
    agents.forEach((a, i) => {
      const at = t * G + a.group;
      const isListed = listed(i, t);
      const isShadow = a.shadowUntil > t;
      let mask = 0;
      for (const j of householdMembers.get(a.household) ?? []) if (listed(j, t) && m.spillDomain[agents[j].dom]) mask |= 1 << agents[j].dom;
      if (isListed) {
        c.listed[at]++;
        if (!isShadow) c.wrongful[at]++;
        // its own domain's restrictions, and the household restrictions of its relatives' other domains
        const extra = new Set<string>();
        for (const [name, r] of Object.entries(scenarioRestrictions)) {
          if (r.household && !m.joint && r.domain !== m.domains[a.dom] && mask & (1 << m.domains.indexOf(r.domain))) extra.add(name);
        }
        c.harm[at] += m.harmOwn[a.dom] + [...extra].reduce((x, name) => x + scenarioRestrictions[name].harm, 0);
      }
      if (isShadow) c.shadowListed[at]++;
      if (a.waiting) c.waiting[at]++;
      if (m.perkAbove !== null && a.score >= m.perkAbove) c.perkHolders[at]++;
      if (t === m.midDay) a.midTier = tierOf(a.score);
      if (!isListed && mask) {
        c.spillover[at]++;
        c.harm[at] += m.harmSpill[mask];
      }
    });
  }

  function endSpell(a: Agent, t: number) {
    if (a.wrongStart) {
      const duration = t - a.since;
      c.wrongfulSpells[a.group]++;
      c.wrongfulSpellDays[a.group] += duration;
      c.wrongfulSpellHistogram[Math.min(duration, days)]++;
    }
    a.wrongStart = false;
    if (a.waiting) c.appealsWithdrawn[t * G + a.group]++;
    a.waiting = false;
  }

  function tierOf(score: number) {
    let tier = -1;
    for (let x = 0; x < m.tierNames.length; x++) if (score >= m.tierMins[x]) tier = x;
    return tier;
  }

  // end of run
  const range = m.sMax - m.sMin;
  const bin = (s: number) => (range <= 0 ? 0 : Math.min(SCORE_BINS - 1, Math.max(0, Math.floor(((s - m.sMin) / range) * SCORE_BINS))));
  const T = m.tierNames.length;
  agents.forEach((a, i) => {
    if (a.hasFalse) c.withFalseRecord[a.group]++;
    if (listed(i, days - 1) && a.wrongStart) {
      c.openWrongfulSpells[a.group]++;
      c.openWrongfulSpellDays[a.group] += days - a.since;
    }
    c.scoreHistogram[a.group * SCORE_BINS + bin(a.score)]++;
    c.shadowScoreHistogram[a.group * SCORE_BINS + bin(a.shadow)]++;
    const tier = tierOf(a.score);
    if (tier >= 0) c.tierCounts[a.group * T + tier]++;
    if (tier >= 0 && a.midTier >= 0) c.tierTransitions[(a.group * T + a.midTier) * T + tier]++;
    else if (a.midTier >= 0) c.tierFellBelow[a.group * T + a.midTier]++;
    if (m.breach && rand() < m.breach.share) {
      c.exposedPeople[a.group]++;
      c.exposedRecords[a.group] += a.kept;
      c.exposedFalseRecords[a.group] += a.keptFalse;
    }
    for (const j of a.contacts) {
      if (j <= i) continue;
      const x = a.score;
      const y = agents[j].score;
      c.tieScoreMoments[0] += x;
      c.tieScoreMoments[1] += y;
      c.tieScoreMoments[2] += x * x;
      c.tieScoreMoments[3] += y * y;
      c.tieScoreMoments[4] += x * y;
      c.tieScoreMoments[5]++;
    }
  });
  void D;
  return c;
}
