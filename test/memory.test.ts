import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { cgroupMemoryLimit } from "../src/cli/memory-limit.js";
import { estimateMemory } from "../src/engine/memory.js";
import { compileModel } from "../src/engine/model.js";
import { HELPER_FROM_AGENTS, networkTemporaryBytes } from "../src/engine/network.js";
import { startSeparable } from "../src/engine/separable.js";
import { isSeparable, Simulation } from "../src/engine/simulate.js";
import type { Scenario } from "../src/scenario/schema.js";
import { preset, withChanges } from "./helpers.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

// The estimate that refuses populations too large for memory must not fall
// below what the calendar engine really holds per agent. The slope between two
// sizes removes the fixed part (tables, counters, calendar heads).

/** Typed-array bytes per additional agent, between two population sizes. */
function heldPerAgent(name: string, change: (s: Scenario) => void = () => {}): { held: number; estimated: number } {
  const sizes = [30_000, 90_000];
  const sized = (n: number) =>
    compileModel(
      withChanges(preset(name), (s) => {
        change(s);
        s.population.agents = n;
      }),
    );
  const bytes = sizes.map((n) => {
    const m = sized(n);
    expect(isSeparable(m)).toBe(false);
    return new Simulation(m).bytes;
  });
  const m = sized(sizes[1]);
  return { held: (bytes[1] - bytes[0]) / (sizes[1] - sizes[0]), estimated: estimateMemory(m).bytesPerAgent };
}

describe("memory estimate", () => {
  // households and appeals; records only; households; network, households, fear, appeals; network and ratings
  for (const name of ["court-defaulters", "midas", "dutch-benefits", "fused-city", "peer-ratings"]) {
    it(`${name}: the estimate covers the state the calendar engine holds per agent, within 2×`, () => {
      const { held, estimated } = heldPerAgent(name);
      expect(estimated).toBeGreaterThanOrEqual(held);
      expect(estimated).toBeLessThanOrEqual(2 * held);
    });
  }

  it("midas with a breach and tiers (their per-agent arrays, no network to hide them): covered", () => {
    const { held, estimated } = heldPerAgent("midas", (s) => {
      s.breach = { day: 100, share: 0.5 };
      s.scoring.tiers = [
        { name: "low", min: 0 },
        { name: "high", min: 900 },
      ];
    });
    expect(estimated).toBeGreaterThanOrEqual(held);
    expect(estimated).toBeLessThanOrEqual(2 * held);
  });

  it("reference on the per-agent engine: every thread holds its own class bytes, and the estimate counts each", () => {
    const sized = (n: number) => compileModel(withChanges(preset("reference"), (s) => void (s.population.agents = n)));
    const held = (startSeparable(sized(90_000)).cls.byteLength - startSeparable(sized(30_000)).cls.byteLength) / 60_000;
    expect(held).toBeGreaterThan(0);
    for (const threads of [1, 2, 3]) expect(estimateMemory(sized(90_000), threads).bytesPerAgent).toBeGreaterThanOrEqual(threads * held);
    expect(estimateMemory(sized(90_000), 3).fixedBytes).toBeGreaterThan(estimateMemory(sized(90_000), 1).fixedBytes);
  });

  it("fused-city on two threads: the lists' second half, written aside, lives in the records' memory (decision 22), so only the helper's runtime is added; a degree whose temporaries do not fit there counts it", () => {
    const sized = (n: number, degree?: number) =>
      compileModel(
        withChanges(preset("fused-city"), (s) => {
          s.population.agents = n;
          if (degree !== undefined && s.population.network) s.population.network.degree = degree;
        }),
      );
    const large = sized(HELPER_FROM_AGENTS);
    expect(large.network?.degree).toBe(10);
    expect(networkTemporaryBytes(10, true)).toBeLessThan(64);
    expect(estimateMemory(large, 2).bytesPerAgent).toBe(estimateMemory(large, 1).bytesPerAgent);
    expect(estimateMemory(large, 2).fixedBytes).toBeGreaterThan(estimateMemory(large, 1).fixedBytes);
    // degree 16: 4·8·2 + 20 = 84 bytes of temporaries, more than a record; half the tie ends, 4 bytes each, are counted
    const dense = sized(HELPER_FROM_AGENTS, 16);
    expect(estimateMemory(dense, 2).bytesPerAgent - estimateMemory(dense, 1).bytesPerAgent).toBe(2 * 16);
    // below it the network is built on one thread whatever the threads asked for
    const small = sized(HELPER_FROM_AGENTS - 1);
    expect(estimateMemory(small, 2)).toEqual(estimateMemory(small, 1));
  });

  const dist = (module: string) => pathToFileURL(join(ROOT, "dist", module)).href;
  it("a run's peak resident memory stays within the estimate, on one and two threads (fused-city, 2^21 agents, 30 days, in a child process running the compiled engine; on two, the network built and the days run on both)", () => {
    const script = `
      import { readFileSync } from "node:fs";
      import { compileModel } from "${dist("engine/model.js")}";
      import { estimateMemory } from "${dist("engine/memory.js")}";
      import { networkHelperFor } from "${dist("engine/network-thread.node.js")}";
      import { dayHelperFor } from "${dist("engine/day-thread.node.js")}";
      import { Simulation } from "${dist("engine/simulate.js")}";
      import { parseScenario } from "${dist("scenario/load.js")}";
      const { scenario } = parseScenario(readFileSync(${JSON.stringify(join(ROOT, "presets/fused-city.yaml"))}, "utf8"), "fused-city.yaml");
      scenario.population.agents = 2 ** 21;
      scenario.days = 30;
      const model = compileModel(scenario);
      const threads = Number(process.env.THREADS);
      const helper = await networkHelperFor(model, threads);
      if ((helper !== null) !== (threads === 2)) throw new Error("the helper thread did not start as asked");
      const dayHelper = await dayHelperFor(model, threads);
      if ((dayHelper !== null) !== (threads === 2)) throw new Error("the days' helper thread did not start as asked");
      try {
        new Simulation(model, { networkHelper: helper, dayHelper }).run();
      } finally {
        dayHelper?.end();
      }
      console.log(JSON.stringify({ peak: process.resourceUsage().maxRSS * 1024, estimate: estimateMemory(model, threads).bytes }));
    `;
    // a file, not --input-type: the helper worker would inherit that flag
    const file = join(mkdtempSync(join(tmpdir(), "credsim-peak-")), "peak.mjs");
    writeFileSync(file, script);
    for (const threads of [1, 2]) {
      const out = execFileSync(process.execPath, [file], { encoding: "utf8", env: { ...process.env, THREADS: String(threads) } });
      const { peak, estimate } = JSON.parse(out);
      expect(peak, `${threads} thread(s)`).toBeLessThanOrEqual(estimate);
    }
  }, 120_000);
});

describe("the memory a run may use", () => {
  /** A fake /sys/fs/cgroup and /proc/self/cgroup: files at paths relative to a temporary root. */
  function tree(files: Record<string, string>): string {
    const root = mkdtempSync(join(tmpdir(), "credsim-cgroup-"));
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
    }
    return root;
  }

  it("is the lowest cgroup limit above the process (v2 and v1), or unbounded", () => {
    // cgroup v2: a Slurm job's limit two levels up, none below
    const v2 = tree({
      self: "0::/slurm/job_7/step_0\n",
      "sys/slurm/job_7/memory.max": "4294967296\n",
      "sys/slurm/job_7/step_0/memory.max": "max\n",
      "sys/memory.max": "max\n",
    });
    expect(cgroupMemoryLimit(join(v2, "sys"), join(v2, "self"))).toBe(4294967296);
    // cgroup v1 (a container), with v2 mounted beside it under unified/ and no limit there
    const v1 = tree({
      self: "4:memory:/docker/abc\n0::/\n",
      "sys/memory/docker/abc/memory.limit_in_bytes": "2147483648\n",
      "sys/memory/memory.limit_in_bytes": "9223372036854771712\n",
      "sys/unified/memory.max": "max\n",
    });
    expect(cgroupMemoryLimit(join(v1, "sys"), join(v1, "self"))).toBe(2147483648);
    // no cgroup files at all: no limit
    const none = tree({ self: "0::/\n" });
    expect(cgroupMemoryLimit(join(none, "sys"), join(none, "self"))).toBe(Number.POSITIVE_INFINITY);
    expect(cgroupMemoryLimit(join(none, "sys"), join(none, "missing"))).toBe(Number.POSITIVE_INFINITY);
  });
});
