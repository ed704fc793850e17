// Small benchmarks of design decisions, so nobody undoes them by accident.
// 1. The per-agent engine's threads take blocks of agents from one shared
//    counter, and the calling thread takes blocks too instead of waiting for
//    workers: it works while they start up (some 65–150 ms each), and whichever
//    thread is faster takes more blocks. Measured as whole fresh processes of the
//    reference (1M), one and two threads, against the same blocks taken by
//    workers alone (the calling thread waiting), alternating.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { compileModel } from "../dist/engine/model.js";
import { parseScenario } from "../dist/scenario/load.js";
import { alternate, median } from "./alternate.mjs";

// --only N[,M…]: run only those benchmarks (e.g. `npm run bench:decisions -- --only 10`)
const onlyAt = process.argv.indexOf("--only");
const only = onlyAt > 0 ? (process.argv[onlyAt + 1] ?? "").split(",").map(Number) : null;
if (only && !only.every((n) => Number.isInteger(n) && n >= 1 && n <= 17)) {
  process.stderr.write("--only needs benchmark numbers from 1 to 17, e.g. --only 10 or --only 2,6\n");
  process.exit(2);
}
const wanted = (n) => !only || only.includes(n);

if (wanted(1)) {
  const child = new URL("./child.mjs", import.meta.url).pathname;
  const once = (threads, engine) => JSON.parse(execFileSync(process.execPath, [child, "reference", "1000000", String(threads), engine], { encoding: "utf8" }));
  const R = 5;
  const lines = [];
  const medians = {};
  for (const threads of [1, 2]) {
    const seconds = { auto: [], "auto-workers": [] };
    const hashes = new Set();
    for (let r = 0; r < R; r++) {
      for (const engine of r % 2 ? ["auto-workers", "auto"] : ["auto", "auto-workers"]) {
        const out = once(threads, engine);
        seconds[engine].push(out.seconds);
        hashes.add(out.hash);
      }
    }
    medians[threads] = { caller: median(seconds.auto), workers: median(seconds["auto-workers"]) };
    const m = medians[threads];
    lines.push(
      `${threads} thread${threads > 1 ? "s" : ""}: calling thread takes blocks ${m.caller.toFixed(3)} s, workers alone ${m.workers.toFixed(3)} s — ${(m.workers / m.caller).toFixed(2)}×; counters identical: ${hashes.size === 1}`,
    );
  }
  lines.push(
    `two threads over one: ${(medians[1].caller / medians[2].caller).toFixed(2)}× with the calling thread taking blocks, ${(medians[1].workers / medians[2].workers).toFixed(2)}× with workers alone (reference 1M × 365, fresh processes, medians of ${R}, alternating)`,
  );
  process.stdout.write(`${lines.join("\n")}\n`);
}

// Decisions 2, 6 and 7 are options of the calendar engine that change only how
// fast a day is computed: fused-city 1M × 365 with the option on and off, in one
// process, alternating, timing the run alone (not the network build), and checking
// that the counters are identical.
async function calendarOption(option, reps = 5) {
  const { Simulation } = await import("../dist/engine/simulate.js");
  const { countersArrays } = await import("../dist/engine/counters.js");
  const fused = parseScenario(readFileSync(new URL("../presets/fused-city.yaml", import.meta.url), "utf8"), "fused-city.yaml").scenario;
  fused.population.agents = 1e6;
  const fm = compileModel(fused);
  const withValue = (value) => ({ setup: () => new Simulation(fm, { [option]: value }), run: (sim) => countersArrays(sim.run()) });
  const identical = (p, q) => p.every((x, k) => x.every((v, i) => v === q[k][i]));
  const { a: on, b: off, agree } = alternate(reps, withValue(true), withValue(false), identical);
  return { on, off, agree, reps };
}

// 2. The calendar engine processes each day's wakes in agent order. The result
//    is the same either way (checked here); ascending ids walk the state arrays
//    forwards instead of jumping around them.
if (wanted(2)) {
  const { on: sorted, off: unsorted, agree, reps } = await calendarOption("sortWakes");
  process.stdout.write(
    `fused-city 1M × 365, calendar engine: wakes in agent order ${sorted.toFixed(2)} s, in calendar order ${unsorted.toFixed(2)} s — ${(unsorted / sorted).toFixed(2)}× (medians of ${reps}, alternating, the run alone); counters identical: ${agree}\n`,
  );
}

// 3. Interacting scenarios get their parallelism from regions (one process per
//    region): fused-city, 300,000 agents, as one population on one thread against
//    31 regions (china-31) on 2 processes. Not the same simulation (regions do not
//    share contacts); the same amount of work. Whole commands, run folders included.
if (wanted(3)) {
  const { execFileSync } = await import("node:child_process");
  const { mkdtempSync, rmSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const { join } = await import("node:path");
  const bin = new URL("../bin/credsim.js", import.meta.url).pathname;
  const dir = mkdtempSync(join(tmpdir(), "credsim-decisions-"));
  const timed = (args) => {
    const t0 = performance.now();
    execFileSync(process.execPath, [
      bin,
      "run",
      "fused-city",
      "--agents",
      "300000",
      "--quiet",
      "--no-report",
      "--track",
      "0",
      "--out",
      join(dir, "out"),
      ...args,
    ]);
    return (performance.now() - t0) / 1000;
  };
  const one = [];
  const regions = [];
  for (let r = 0; r < 3; r++) {
    one.push(timed([]));
    regions.push(timed(["--regions", "china-31", "--workers", "2"]));
  }
  rmSync(dir, { recursive: true, force: true });
  process.stdout.write(
    `fused-city 300k × 365: one process ${median(one).toFixed(2)} s, 31 regions on 2 processes ${median(regions).toFixed(2)} s — ${(median(one) / median(regions)).toFixed(2)}× (medians of 3, whole commands)\n`,
  );
}

// 4. The calendar engine keeps every per-agent field a wake or a contact reads
//    (listing ends, wake, candidate, appeal and cure days, the two scores and
//    their day, the random counter, fear and its day, listed-contact counts,
//    flags, domain and class) in one 64-byte record per agent rather than
//    sixteen arrays. Here the access pattern alone, without the model: 4·10^6
//    agents, 3 % woken a day in agent order (as the engine's days are), every
//    woken agent visited in four phases that each read and write its sixteen
//    fields.
if (wanted(4)) {
  const N = 4e6;
  const F = 16;
  const days = 20;
  const woken = [];
  let seed = 12345;
  const rand = () => {
    seed = (Math.imul(seed, 1664525) + 1013904223) | 0;
    return (seed >>> 0) / 4294967296;
  };
  for (let t = 0; t < days; t++) {
    const day = new Int32Array(Math.round(N * 0.03));
    for (let k = 0; k < day.length; k++) day[k] = Math.floor(rand() * N);
    woken.push(day.sort());
  }
  // filled, so that first-touch page faults are not part of either time
  const separate = Array.from({ length: F }, () => new Int32Array(N).fill(1));
  const packed = new Int32Array(N * F).fill(1);
  const runSeparate = () => {
    let x = 0;
    for (const day of woken)
      for (let phase = 0; phase < 4; phase++)
        for (let k = 0; k < day.length; k++) {
          const li = day[k];
          for (let f = 0; f < F; f++) x += separate[f][li]++;
        }
    return x;
  };
  const runPacked = () => {
    let x = 0;
    for (const day of woken)
      for (let phase = 0; phase < 4; phase++)
        for (let k = 0; k < day.length; k++) {
          const at = day[k] * F;
          for (let f = 0; f < F; f++) x += packed[at + f]++;
        }
    return x;
  };
  const { a: sep, b: pack, agree } = alternate(5, runSeparate, runPacked, (x, y) => x === y);
  process.stdout.write(
    `4·10^6 agents, 3 % woken a day, 4 phases × 16 fields: sixteen arrays ${sep.toFixed(2)} s, one 64-byte record ${pack.toFixed(2)} s — ${(sep / pack).toFixed(2)}× (medians of 5, alternating); same sums: ${agree}\n`,
  );
}

// 5. Runs whose memory estimate reaches 1 GiB run in a process started with
//    glibc.malloc.hugetlb=1, so that glibc asks the kernel for 2 MiB pages for
//    their records (src/engine/hugepages.node.ts). Here the access pattern alone
//    (bench/pages-probe.mjs: decision 4's four phases in agent order, plus ten
//    records anywhere per woken agent, as a listing reaches its contacts) on
//    3·10^7 records (1.9 GB), in fresh processes with and without the tunable,
//    alternating.
if (wanted(5)) {
  const { execFileSync } = await import("node:child_process");
  const { withHugePages } = await import("../dist/engine/hugepages.node.js");
  const probe = new URL("./pages-probe.mjs", import.meta.url).pathname;
  const plain = { ...process.env };
  delete plain.GLIBC_TUNABLES;
  const timed = (env) => () => JSON.parse(execFileSync(process.execPath, [probe, "30000000"], { env, encoding: "utf8" }));
  const small = [];
  const huge = [];
  for (let r = 0; r < 3; r++) {
    small.push(timed(plain)());
    huge.push(timed(withHugePages(plain))());
  }
  const s = median(small.map((x) => x.seconds));
  const h = median(huge.map((x) => x.seconds));
  const same = small.every((x, k) => x.check === huge[k].check);
  process.stdout.write(
    `3·10^7 records of 64 bytes, 3 % woken a day, 4 phases and 10 contacts: 4 KiB pages ${s.toFixed(2)} s, huge pages ${h.toFixed(2)} s — ${(s / h).toFixed(2)}× (medians of 3, alternating fresh processes); same sums: ${same}\n`,
  );
}

// 6. The calendar engine expires and behaves the day's woken agents one
//    household at a time (all of a household's woken members expire before any of
//    them behaves), instead of all expiries and then all behaviours: each record
//    is fetched from memory once for both steps. The counters are the same
//    (checked here).
if (wanted(6)) {
  const { on: together, off: apart, agree, reps } = await calendarOption("fuseWakeSteps");
  process.stdout.write(
    `fused-city 1M × 365, calendar engine: expiry and behaviour by household ${together.toFixed(2)} s, in two passes ${apart.toFixed(2)} s — ${(apart / together).toFixed(2)}× (medians of ${reps}, alternating, the run alone); counters identical: ${agree}\n`,
  );
}

// 7. The calendar engine schedules an agent's next wake right after scoring it
//    (step 8), while its record is at hand, unless something touches the agent
//    later that day (contacts of the newly listed, cut ties, appeals, cures), in
//    which case it is scheduled again at the end. The counters are the same
//    (checked here).
if (wanted(7)) {
  const { on: early, off: late, agree, reps } = await calendarOption("scheduleEarly");
  process.stdout.write(
    `fused-city 1M × 365, calendar engine: next wakes scheduled after scoring ${early.toFixed(2)} s, all at the day's end ${late.toFixed(2)} s — ${(late / early).toFixed(2)}× (medians of ${reps}, alternating, the run alone); counters identical: ${agree}\n`,
  );
}

/** fused-city's model and population at `agents`, for timing its network build (nos. 8 and 14), and a test that two networks are the same. */
async function fusedNetwork(agents) {
  const { buildPopulation } = await import("../dist/engine/population.js");
  const { buildNetwork } = await import("../dist/engine/network.js");
  const fused = parseScenario(readFileSync(new URL("../presets/fused-city.yaml", import.meta.url), "utf8"), "fused-city.yaml").scenario;
  fused.population.agents = agents;
  const fm = compileModel(fused);
  const same = (p, q) =>
    p.start.length === q.start.length && p.adj.length === q.adj.length && p.start.every((x, i) => x === q.start[i]) && p.adj.every((x, i) => x === q.adj[i]);
  return { buildNetwork, fm, pop: buildPopulation(fm), same };
}

// 8. The network build puts each tie on its other end's list by sorting the ties
//    in blocks of 2^14 agents, in place, instead of writing each tie to a random
//    agent's list (a cache miss per tie, two per tie with the degree counts).
//    fused-city's network at 3·10^6 agents, alternating, the same network both
//    ways (checked here). The gain grows with size as the lists leave the caches.
if (wanted(8)) {
  const { buildNetwork, fm, pop, same } = await fusedNetwork(3e6);
  const reps = 5;
  const {
    a: sorted,
    b: scattered,
    agree,
  } = alternate(
    reps,
    () => buildNetwork(fm, pop),
    () => buildNetwork(fm, pop, { listsBy: "scatter" }),
    same,
  );
  process.stdout.write(
    `fused-city network, 3M agents: lists by sorting ties in blocks ${sorted.toFixed(2)} s, by writing each tie to both ends ${scattered.toFixed(2)} s — ${(scattered / sorted).toFixed(2)}× (medians of ${reps}, alternating); same network: ${agree}\n`,
  );
}

// 9. The candidate clock's gaps come from a table of the draws at which the gap
//    steps down (src/engine/gap-table.ts) instead of a logarithm per gap: the
//    same gaps exactly, as Math.log never decreases over the 2^32 possible draws
//    (bench/log-monotone.mjs). Reference 1M × 365 on the per-agent engine, one
//    thread, in one process, alternating with a table of size 0 (every gap
//    computed), checking that the counters are identical.
if (wanted(9)) {
  const { runSeparable } = await import("../dist/engine/separable.js");
  const { gapTable } = await import("../dist/engine/gap-table.js");
  const { countersArrays } = await import("../dist/engine/counters.js");
  const reference = parseScenario(readFileSync(new URL("../presets/reference.yaml", import.meta.url), "utf8"), "reference.yaml").scenario;
  const looked = compileModel(reference);
  // two models of one shape, so that the engine's code sees one kind of object
  const computed = compileModel(reference);
  computed.gaps = gapTable(computed.logNoEvent, 0);
  const built = performance.now();
  gapTable(looked.logNoEvent, looked.gaps.size);
  const buildMs = performance.now() - built;
  const identical = (p, q) => p.every((x, k) => x.every((v, i) => v === q[k][i]));
  const reps = 5;
  const {
    a: table,
    b: logarithm,
    agree,
  } = alternate(
    reps,
    () => countersArrays(runSeparable(looked)),
    () => countersArrays(runSeparable(computed)),
    identical,
  );
  process.stdout.write(
    `reference 1M × 365, per-agent engine (its WebAssembly kernel), 1 thread: candidate gaps by table ${table.toFixed(2)} s, by logarithm ${logarithm.toFixed(2)} s — ${(logarithm / table).toFixed(2)}× (medians of ${reps}, alternating); counters identical: ${agree}; the tables (${looked.logNoEvent.length} rates × ${looked.gaps.size} steps) take ${buildMs.toFixed(1)} ms to build\n`,
  );
}

// 10. The per-agent engine runs compiled to WebAssembly (kernel/agents.ts), with
//     the same draws and floating-point operations as the TypeScript engine.
//     Reference 1M × 365, whole fresh processes (worker start-up included), one
//     and two threads, the kernel against TypeScript, alternating, checking that
//     the counters are identical.
if (wanted(10)) {
  const child = new URL("./child.mjs", import.meta.url).pathname;
  const once = (threads, engine) => JSON.parse(execFileSync(process.execPath, [child, "reference", "1000000", String(threads), engine], { encoding: "utf8" }));
  const R = 5;
  const med = {};
  const hashes = new Set();
  for (const threads of [1, 2]) {
    const seconds = { auto: [], "auto-ts": [] };
    for (let r = 0; r < R; r++) {
      for (const engine of r % 2 ? ["auto-ts", "auto"] : ["auto", "auto-ts"]) {
        const out = once(threads, engine);
        seconds[engine].push(out.seconds);
        hashes.add(out.hash);
      }
    }
    med[threads] = { kernel: median(seconds.auto), ts: median(seconds["auto-ts"]) };
  }
  const line = (t) =>
    `${t} thread${t > 1 ? "s" : ""} WebAssembly ${med[t].kernel.toFixed(3)} s, TypeScript ${med[t].ts.toFixed(3)} s — ${(med[t].ts / med[t].kernel).toFixed(2)}×`;
  process.stdout.write(
    `reference 1M × 365, per-agent engine: ${line(1)}; ${line(2)}; two threads over one ${(med[1].kernel / med[2].kernel).toFixed(2)}× in WebAssembly, ${(med[1].ts / med[2].ts).toFixed(2)}× in TypeScript (fresh processes, medians of ${R}, alternating); counters identical: ${hashes.size === 1}\n`,
  );
}

// 11. Decision 16: with people followed, the calling thread runs their pool first
// and the others skip it, so no thread sends events and nothing is merged.
// Reference 1M, the worker started ahead as `credsim run` starts it, fresh
// processes, alternating: one and two threads, each following 100 people (as the
// command does by default) and following nobody (what following costs).
if (wanted(11)) {
  const child = new URL("./child.mjs", import.meta.url).pathname;
  const once = (threads, track) =>
    JSON.parse(execFileSync(process.execPath, [child, "reference", "1000000", String(threads), "auto-started", "1", String(track)], { encoding: "utf8" }));
  const cases = {
    "1 thread, 100 followed": [1, 100],
    "1 thread, nobody followed": [1, 0],
    "2 threads, 100 followed": [2, 100],
    "2 threads, nobody followed": [2, 0],
  };
  const R = 7;
  const seconds = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
  const hashes = new Set();
  for (let r = 0; r < R; r++) {
    const order = Object.keys(cases);
    for (const k of r % 2 ? order.reverse() : order) {
      const out = once(...cases[k]);
      seconds[k].push(out.seconds);
      hashes.add(out.hash);
    }
  }
  const m = Object.fromEntries(Object.entries(seconds).map(([k, v]) => [k, median(v)]));
  const cost = (t) => `${((m[`${t}, 100 followed`] / m[`${t}, nobody followed`] - 1) * 100).toFixed(0)} %`;
  process.stdout.write(
    `reference 1M × 365, worker started ahead: ${Object.entries(m)
      .map(([k, v]) => `${k} ${v.toFixed(3)} s`)
      .join(", ")}; two threads over one: ${(m["1 thread, 100 followed"] / m["2 threads, 100 followed"]).toFixed(2)}× following 100, ${(
      m["1 thread, nobody followed"] / m["2 threads, nobody followed"]
    ).toFixed(
      2,
    )}× following nobody; following 100 costs ${cost("1 thread")} on one thread, ${cost("2 threads")} on two (fresh processes, medians of ${R}, alternating); counters identical: ${hashes.size === 1}\n`,
  );
}

// 12. The calendar engine reads a batch of 32 records ahead in a loop of reads
//     alone (warm() in src/engine/simulate.ts) before each of the day's passes
//     works on them, and the records of a newly listed agent's contacts before it
//     visits them: a plain read in JavaScript stalls what follows it until it
//     arrives, but reads with nothing between them are in flight together. The
//     counters are the same (checked here).
if (wanted(12)) {
  const { on: warm, off: cold, agree, reps } = await calendarOption("warmReads");
  process.stdout.write(
    `fused-city 1M × 365, calendar engine: records read ahead in batches ${warm.toFixed(2)} s, read as used ${cold.toFixed(2)} s — ${(cold / warm).toFixed(2)}× (medians of ${reps}, alternating, the run alone); counters identical: ${agree}\n`,
  );
}

// 13. The calendar engine sorts each day's woken ids with a radix sort
//     (src/engine/sort-agents.ts) rather than TypedArray.prototype.sort: a year of
//     days of 170,000 wakes among 10^7 agents (fused-city's rate at 10^7), the
//     ids in the calendar's order, which is random with respect to id.
if (wanted(13)) {
  const { AgentSorter } = await import("../dist/engine/sort-agents.js");
  const days = 365;
  const perDay = 170_000;
  const limit = 10_000_000;
  const input = new Int32Array(days * perDay);
  let x = 12345;
  for (let k = 0; k < input.length; k++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    input[k] = Math.floor((x / 2 ** 32) * limit);
  }
  const sorter = new AgentSorter();
  const byRadix = () => {
    const out = { buf: new Int32Array(perDay) };
    for (let d = 0; d < days; d++) {
      out.buf.set(input.subarray(d * perDay, (d + 1) * perDay));
      sorter.sort(out, perDay, limit);
    }
    return out.buf.slice();
  };
  const byComparison = () => {
    const buf = new Int32Array(perDay);
    for (let d = 0; d < days; d++) {
      buf.set(input.subarray(d * perDay, (d + 1) * perDay));
      buf.sort();
    }
    return buf.slice();
  };
  const same = (p, q) => p.every((v, k) => v === q[k]);
  const { a: radix, b: comparison, agree } = alternate(5, byRadix, byComparison, same);
  process.stdout.write(
    `a year of days of ${perDay.toLocaleString("en")} wakes among 10^7 agents: radix sort ${radix.toFixed(2)} s, TypedArray sort ${comparison.toFixed(2)} s — ${(comparison / radix).toFixed(2)}× (medians of 5, alternating); same order: ${agree}\n`,
  );
}

// 14. The first pass of the network build's sort moves each tie through a write
//     cursor per block of agents; at most 2^10 blocks (src/engine/network.ts,
//     blockShift) keep those cursors in the second-level cache. At 10^8 agents,
//     blocks of 2^14 agents made 6,104 cursors, and the sort took 69.6 s instead
//     of 15.5 s (docs/performance.md, decision 19). The same regime at a tenth of
//     the memory: fused-city's network at 10^7 agents with blocks of 2^10 agents
//     (9,766 blocks) against the usual 611, alternating, the same network both
//     ways (checked here).
if (wanted(14)) {
  const { buildNetwork, fm, pop, same } = await fusedNetwork(1e7);
  const reps = 3;
  const {
    a: few,
    b: many,
    agree,
  } = alternate(
    reps,
    () => buildNetwork(fm, pop),
    () => buildNetwork(fm, pop, { blockShift: 10 }),
    same,
  );
  process.stdout.write(
    `fused-city network, 10M agents: sorted in 611 blocks ${few.toFixed(2)} s, in 9,766 blocks ${many.toFixed(2)} s — ${(many / few).toFixed(2)}× (medians of ${reps}, alternating, the whole build); same network: ${agree}\n`,
  );
}

// 15. The network build on two threads (decision 20; src/engine/network-thread.node.ts):
//     a helper worker takes half of each stage that splits and touches memory
//     while the calling thread shuffles the ring. fused-city's network at 10^7
//     agents on one thread against two, alternating, the helper's start-up
//     (a fresh worker each build, as a run has) included; the same network both
//     ways (checked here).
if (wanted(15)) {
  const { buildNetwork, fm, pop, same } = await fusedNetwork(1e7);
  const { NetworkThread } = await import("../dist/engine/network-thread.node.js");
  const reps = 5;
  const one = [];
  const two = [];
  let agree = true;
  for (let r = 0; r < reps; r++) {
    let t0 = performance.now();
    const a = buildNetwork(fm, pop);
    one.push((performance.now() - t0) / 1000);
    t0 = performance.now();
    const helper = await NetworkThread.open();
    const b = buildNetwork(fm, pop, { helper });
    two.push((performance.now() - t0) / 1000);
    agree &&= same(a, b);
  }
  const [a, b] = [median(one), median(two)];
  process.stdout.write(
    `fused-city network, 10M agents: one thread ${a.toFixed(2)} s, two threads ${b.toFixed(2)} s — ${(a / b).toFixed(2)}× (medians of ${reps}, alternating, the helper's start included); same network: ${agree}\n`,
  );
}

// 16. The calendar engine orders a day's due tie cuts (by edge, then listing
//     start) with a radix sort of typed rows (src/engine/sort-cuts.ts, decision
//     21) rather than copying them into an array and sorting it with a
//     comparator: a year of days of 80,000 due cuts among 10^9 edges (fused-city's
//     rate at 10^8), each day's rows in the calendar's order; the same order both
//     ways (checked here).
if (wanted(16)) {
  const { CutSorter } = await import("../dist/engine/sort-cuts.js");
  const days = 365;
  const perDay = 80_000;
  const edges = 1_000_000_000;
  const rows = new Int32Array(days * perDay * 3);
  let x = 54321;
  const next = (limit) => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return Math.floor((x / 2 ** 32) * limit);
  };
  for (let d = 0; d < days; d++) for (let k = 0; k < perDay; k++) rows.set([next(100_000_000), next(edges), next(d + 1)], (d * perDay + k) * 3);
  const sorter = new CutSorter();
  // each way returns the edge and start of the last day's rows in visiting order
  const byRadix = () => {
    let visited;
    for (let d = 0; d < days; d++) {
      const day = rows.subarray(d * perDay * 3, (d + 1) * perDay * 3);
      const order = sorter.sort(day, perDay, edges, d + 1);
      if (d === days - 1) visited = Array.from(order.subarray(0, perDay), (r) => day[3 * r + 1] * 400 + day[3 * r + 2]);
    }
    return visited;
  };
  const byComparison = () => {
    let visited;
    for (let d = 0; d < days; d++) {
      const due = [];
      for (let k = d * perDay * 3; k < (d + 1) * perDay * 3; k += 3) due.push(rows[k], rows[k + 1], rows[k + 2]);
      const order = Array.from({ length: due.length / 3 }, (_, k) => 3 * k).sort((a, b) => due[a + 1] - due[b + 1] || due[a + 2] - due[b + 2]);
      if (d === days - 1) visited = order.map((at) => due[at + 1] * 400 + due[at + 2]);
    }
    return visited;
  };
  const same = (p, q) => p.length === q.length && p.every((v, k) => v === q[k]);
  const { a: radix, b: comparison, agree } = alternate(5, byRadix, byComparison, same);
  process.stdout.write(
    `a year of days of ${perDay.toLocaleString("en")} due tie cuts among 10^9 edges: radix sort of rows ${radix.toFixed(2)} s, array and comparator ${comparison.toFixed(2)} s — ${(comparison / radix).toFixed(2)}× (medians of 5, alternating); same order: ${agree}\n`,
  );
}

// 17. The calendar engine runs the days of an interacting run on two lanes
//     (decision 23): a worker owns the odd blocks of agents and runs their
//     phases in step with the calling thread. fused-city 2·10^6 × 365, the days
//     and the end of the run timed (the network is built on one thread both
//     ways, before the clock starts); the counters are the same (checked here).
if (wanted(17)) {
  const { Simulation } = await import("../dist/engine/simulate.js");
  const { DayThread } = await import("../dist/engine/day-thread.node.js");
  const { countersArrays } = await import("../dist/engine/counters.js");
  const fused = parseScenario(readFileSync(new URL("../presets/fused-city.yaml", import.meta.url), "utf8"), "fused-city.yaml").scenario;
  fused.population.agents = 2e6;
  const fm = compileModel(fused);
  const reps = 5;
  // a helper runs one lane of one run: one started for each run, before the clock
  const helpers = [];
  for (let r = 0; r < reps; r++) helpers.push(await DayThread.open());
  const oneLane = { setup: () => new Simulation(fm), run: (sim) => countersArrays(sim.run()) };
  const twoLanes = {
    setup: () => {
      const helper = helpers.pop();
      return { sim: new Simulation(fm, { dayHelper: helper }), helper };
    },
    run: ({ sim, helper }) => {
      const counters = countersArrays(sim.run());
      helper.end();
      return counters;
    },
  };
  const identical = (p, q) => p.every((x, k) => x.every((v, i) => v === q[k][i]));
  const { a: one, b: two, agree } = alternate(reps, oneLane, twoLanes, identical);
  process.stdout.write(
    `fused-city 2M × 365, calendar engine, the days: one thread ${one.toFixed(2)} s, two lanes ${two.toFixed(2)} s — ${(one / two).toFixed(2)}× (medians of ${reps}, alternating, the network built before the clock); counters identical: ${agree}\n`,
  );
}
