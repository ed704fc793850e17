import { describe, expect, it } from "vitest";
import { workersForArgs } from "../src/cli/prestart.js";
import { History } from "../src/engine/history.js";
import { historyByAgent } from "../src/engine/parallel.node.js";
import { eventColumns, preset, withChanges } from "./helpers.js";

// `credsim run` starts its worker threads before it loads its modules, so that
// they are ready when the run begins (src/engine/pool.node.ts).

describe("workers started ahead of the run", () => {
  it("are as many as the run will ask for, read from the raw arguments", () => {
    const cores = (n: number) => Math.max(1, n - 1);
    expect(workersForArgs(["run", "reference"])).toBe(1); // an interacting scenario runs on one worker
    expect(workersForArgs(["run", "reference", "--threads", "2"])).toBe(cores(2));
    expect(workersForArgs(["run", "--threads=2", "reference"])).toBe(cores(2));
    expect(workersForArgs(["run", "reference", "--threads", "999"])).toBeLessThanOrEqual(256);
    expect(workersForArgs(["run", "reference", "--threads", "two"])).toBe(1); // refused later, with its message
    expect(workersForArgs(["run", "reference", "--regions", "china-31"])).toBe(0); // regions run as processes
    expect(workersForArgs(["sweep", "s.yaml"])).toBe(0);
    expect(workersForArgs(["validate", "reference"])).toBe(0);
  });

  it("take the run's blocks and give the same counters and followed histories", async () => {
    // workers run the compiled engine (npm test builds dist/ first)
    const { simulateThreads } = (await import("../dist/engine/parallel.node.js")) as typeof import("../src/engine/parallel.node.js");
    const { prestartWorkers, idleWorkers, workersReady } = (await import("../dist/engine/pool.node.js")) as typeof import("../src/engine/pool.node.js");
    const s = withChanges(preset("reference"), (x) => void (x.population.agents = 200_000));
    const options = { poolSize: 300, startTogether: true };
    const cold = await simulateThreads(s, 2, undefined, options);
    prestartWorkers(1);
    expect(idleWorkers()).toBe(1);
    // loaded, and still waiting for its job (a worker that failed on starting is dropped)
    await workersReady();
    expect(idleWorkers()).toBe(1);
    const warm = await simulateThreads(s, 2, undefined, options);
    expect(idleWorkers()).toBe(0);
    expect(warm.threads).toBe(2);
    expect(Math.min(...warm.blocks)).toBeGreaterThan(0); // the started worker took blocks
    const arrays = (r: typeof cold) => [
      ...Object.values(r.counters)
        .filter((v) => v instanceof Float64Array)
        .map((a) => Array.from(a as Float64Array)),
      ...eventColumns(r.history),
    ];
    expect(arrays(warm)).toEqual(arrays(cold));
    // an interacting scenario runs on a started worker too
    prestartWorkers(1);
    await workersReady();
    expect(idleWorkers()).toBe(1);
    const fused = withChanges(preset("fused-city"), (x) => void (x.population.agents = 5_000));
    const a = await simulateThreads(fused, 1);
    expect(idleWorkers()).toBe(0);
    const b = await simulateThreads(fused, 1);
    expect(arrays(a)).toEqual(arrays(b));
  });

  it("report progress while the calling thread runs a large followed pool", async () => {
    const { simulateThreads } = (await import("../dist/engine/parallel.node.js")) as typeof import("../src/engine/parallel.node.js");
    // a pool of everyone: the calling thread runs it all before any block, which the worker takes
    const s = withChanges(preset("reference"), (x) => void (x.population.agents = 300_000));
    const seen: number[] = [];
    const r = await simulateThreads(s, 2, (done) => seen.push(done), { poolSize: 300_000 });
    expect(r.history?.count).toBeGreaterThan(0);
    expect(seen.some((x) => x > 0.05 && x < 0.95)).toBe(true);
    expect(seen.every((x, k) => x >= 0 && x <= 1 && (k === 0 || x >= seen[k - 1]))).toBe(true);
  });

  it("put the calendar engine's followed events in agent order, each agent's events in their order", () => {
    // rows: day, agent, type, a, b, v, as the calendar engine logs them, day by day
    const mask = new Uint8Array(8).fill(1);
    const logged = (rows: number[][]) => {
      const h = new History(mask);
      h.addRows(Float64Array.from(rows.flat()));
      return h.columns().columns;
    };
    const byDay = logged([
      [1, 5, 2, 0, 0, 0],
      [2, 2, 1, 0, 0, 0],
      [3, 1, 1, 0, 0, 0],
      [4, 5, 10, 0, 0, 2],
      [5, 7, 3, 0, 0, 0],
      [9, 1, 10, 0, 0, 1],
    ]);
    const h = historyByAgent(mask, byDay);
    expect(Array.from({ length: h.count }, (_, k) => [h.agent[k], h.day[k]])).toEqual([
      [1, 3],
      [1, 9],
      [2, 2],
      [5, 1],
      [5, 4],
      [7, 5],
    ]);
    // every column comes along (agent 5: type 2, then a score of 2)
    expect(eventColumns(h).map((c) => c.slice(3, 5))).toEqual([
      [1, 4],
      [5, 5],
      [2, 10],
      [0, 0],
      [0, 0],
      [0, 2],
    ]);
    // events already in agent order are taken as they are, not copied
    const ordered = logged([
      [3, 1, 1, 0, 0, 0],
      [2, 2, 1, 0, 0, 0],
    ]);
    expect(historyByAgent(mask, ordered).agent).toBe(ordered.agent);
  });
});
