import { describe, expect, it } from "vitest";
import { workersForArgs } from "../src/cli/prestart.js";
import { preset, withChanges } from "./helpers.js";

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
    const { prestartWorkers, idleWorkers } = (await import("../dist/engine/pool.node.js")) as typeof import("../src/engine/pool.node.js");
    const s = withChanges(preset("reference"), (x) => void (x.population.agents = 200_000));
    const options = { poolSize: 300, startTogether: true };
    const cold = await simulateThreads(s, 2, undefined, options);
    prestartWorkers(1);
    expect(idleWorkers()).toBe(1);
    const warm = await simulateThreads(s, 2, undefined, options);
    expect(idleWorkers()).toBe(0);
    expect(warm.threads).toBe(2);
    expect(Math.min(...warm.blocks)).toBeGreaterThan(0); // the started worker took blocks
    const arrays = (r: typeof cold) =>
      [...Object.values(r.counters).filter((v) => v instanceof Float64Array), ...(r.history?.toArrays() ?? [])].map((a) => Array.from(a as Float64Array));
    expect(arrays(warm)).toEqual(arrays(cold));
    // an interacting scenario runs on a started worker too
    prestartWorkers(1);
    const fused = withChanges(preset("fused-city"), (x) => void (x.population.agents = 5_000));
    const a = await simulateThreads(fused, 1);
    expect(idleWorkers()).toBe(0);
    const b = await simulateThreads(fused, 1);
    expect(arrays(a)).toEqual(arrays(b));
  });
});
