import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { HUGE_PAGES_FROM, hugePageTunable, withHugePages } from "../src/engine/hugepages.node.js";
import { estimateMemory } from "../src/engine/memory.js";
import { compileModel } from "../src/engine/model.js";
import { preset, withChanges } from "./helpers.js";

// Large runs are started again in a process whose glibc gives its array buffers
// 2 MiB pages (src/engine/hugepages.node.ts, docs/performance.md).

describe("the huge-page tunable", () => {
  it("is added to the environment, after the user's other tunables", () => {
    expect(withHugePages({}).GLIBC_TUNABLES).toBe("glibc.malloc.hugetlb=1");
    expect(withHugePages({ GLIBC_TUNABLES: "glibc.malloc.arena_max=2" }).GLIBC_TUNABLES).toBe("glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1");
    expect(withHugePages({ PATH: "/bin" }).PATH).toBe("/bin");
  });
  it("leaves a value the user chose", () => {
    const env = { GLIBC_TUNABLES: "glibc.malloc.hugetlb=0" };
    expect(withHugePages(env)).toBe(env);
    expect(hugePageTunable(env)).toBe("0");
    expect(hugePageTunable({ GLIBC_TUNABLES: "glibc.malloc.arena_max=2" })).toBeUndefined();
    expect(hugePageTunable({ GLIBC_TUNABLES: "glibc.malloc.hugetlb=0:glibc.malloc.hugetlb=1" })).toBe("1"); // glibc takes the last
  });
});

// glibc 2.35+ on Linux with transparent huge pages not "never": the machines credsim's CI runs on.
const thp = existsSync("/sys/kernel/mm/transparent_hugepage/enabled") ? readFileSync("/sys/kernel/mm/transparent_hugepage/enabled", "utf8") : "[never]";
const glibc = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header?.glibcVersionRuntime ?? "0";
const canHaveHugePages = process.platform === "linux" && !thp.includes("[never]") && Number(glibc.split(".")[0]) * 100 + Number(glibc.split(".")[1]) >= 235;

describe.runIf(canHaveHugePages)("on this Linux machine", () => {
  // An array buffer of 256 MiB, written once; the kernel's count of this process's anonymous huge pages.
  const probe = `const a = new Float64Array(1 << 25); for (let i = 0; i < a.length; i += 512) a[i] = 1;
    const line = require("fs").readFileSync("/proc/self/smaps_rollup", "utf8").split("\\n").find((l) => l.startsWith("AnonHugePages"));
    process.stdout.write(line.split(/\\s+/)[1]);`;
  const hugeKiB = (env: NodeJS.ProcessEnv) => Number(spawnSync(process.execPath, ["-e", probe], { env, encoding: "utf8" }).stdout);

  it("a process started with the tunable holds its array buffers on huge pages, one without it does not", () => {
    const plain = { ...process.env };
    delete plain.GLIBC_TUNABLES;
    const withIt = hugeKiB(withHugePages(plain));
    // madvise mode (Debian's default) grants none without the tunable; "always" grants them either way
    if (thp.includes("[madvise]")) expect(hugeKiB(plain)).toBe(0);
    expect(withIt).toBeGreaterThan(128 * 1024);
  });
});

describe.runIf(process.platform === "linux")("credsim run", () => {
  const bin = new URL("../bin/credsim.js", import.meta.url).pathname;
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "credsim-huge-"));
  });
  const env = { ...process.env, NO_COLOR: "1" };
  delete env.GLIBC_TUNABLES;
  // the smallest fused-city whose estimate reaches the threshold
  const perAgent = estimateMemory(compileModel(withChanges(preset("fused-city"), (s) => void (s.population.agents = 1e6)))).bytesPerAgent;
  const agents = String(Math.ceil((1.02 * HUGE_PAGES_FROM) / perAgent));

  it("starts a run whose estimate is over 1 GiB again with huge pages, and writes a complete folder", () => {
    // fused-city with points for a behaviour no source sees any more, which `run` warns about
    const file = join(dir, "warned.yaml");
    const text = readFileSync(new URL("../presets/fused-city.yaml", import.meta.url), "utf8");
    writeFileSync(file, text.replace("detect: { volunteering: 0.5 }", "detect: { court-order-ignored: 0.1 }"));
    const r = spawnSync(process.execPath, [bin, "run", file, "--agents", agents, "--days", "2", "--out", "big", "--no-report"], {
      cwd: dir,
      env,
      encoding: "utf8",
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("started with huge pages (GLIBC_TUNABLES glibc.malloc.hugetlb=1)");
    expect(r.stderr.match(/no source detects 'volunteering'/g)).toHaveLength(1); // printed once, not again by the restarted process
    expect(readdirSync(join(dir, "big")).sort()).toEqual(["credsim.duckdb", "daily.parquet", "scenario.yaml", "summary.json"]);
    // the user's own setting stands (no restart), and the outputs are the same
    const off = { ...env, GLIBC_TUNABLES: "glibc.malloc.hugetlb=0" };
    const r0 = spawnSync(process.execPath, [bin, "run", file, "--agents", agents, "--days", "2", "--out", "off", "--no-report"], {
      cwd: dir,
      env: off,
      encoding: "utf8",
    });
    expect(r0.status, r0.stderr).toBe(0);
    expect(r0.stdout).not.toContain("huge pages");
    expect(readFileSync(join(dir, "off", "summary.json"), "utf8")).toBe(readFileSync(join(dir, "big", "summary.json"), "utf8"));
    // a scenario from a pipe is read once: the restarted run gets a copy (a second read of the pipe would find it empty)
    const copies = () => readdirSync(tmpdir()).filter((f) => f.startsWith("credsim-scenario-"));
    const copiesBefore = copies();
    const piped = spawnSync(
      "sh",
      ["-c", `cat warned.yaml | "${process.execPath}" "${bin}" run /dev/stdin --agents ${agents} --days 2 --out piped --no-report`],
      {
        cwd: dir,
        env,
        encoding: "utf8",
      },
    );
    expect(piped.status, piped.stderr).toBe(0);
    expect(piped.stdout).toContain("started with huge pages");
    expect(readFileSync(join(dir, "piped", "summary.json"), "utf8")).toBe(readFileSync(join(dir, "big", "summary.json"), "utf8"));
    expect(copies()).toEqual(copiesBefore); // the copy is removed
    const small = spawnSync(process.execPath, [bin, "run", "fused-city", "--agents", "2000", "--days", "2", "--out", "small"], {
      cwd: dir,
      env,
      encoding: "utf8",
    });
    expect(small.status, small.stderr).toBe(0);
    expect(small.stdout).not.toContain("huge pages");
  }, 180_000);

  it("passes a signal on to the process it started, waits for it, and leaves no folder", async () => {
    // into a folder whose parent does not exist yet: the parent made for it goes too
    const child = spawn(process.execPath, [bin, "run", "fused-city", "--agents", agents, "--out", "killed-parent/killed", "--quiet"], { cwd: dir, env });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    await new Promise((r) => setTimeout(r, 4000));
    // the restarted run is a child of the process we started
    const children = readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, "utf8").trim().split(" ").filter(Boolean).map(Number);
    expect(children).toHaveLength(1);
    const sent = Date.now();
    child.kill("SIGINT"); // to the parent alone, as a job scheduler would
    // "close" comes once every process holding the pipes (the restarted run too) has ended
    const code = await new Promise((r) => child.on("close", (c) => r(c)));
    expect(code).toBe(130);
    expect(Date.now() - sent).toBeLessThan(3000);
    expect(() => process.kill(children[0], 0)).toThrow();
    expect(stderr.match(/interrupted/g)).toHaveLength(1);
    expect(readdirSync(dir).filter((f) => f.startsWith("killed"))).toEqual([]);
  }, 60_000);

  it("stops the restarted run when the process that started it is killed outright, leaving no scenario copy", async () => {
    // the scenario comes from a pipe, so the restarted run is handed a copy of it
    const copies = () => readdirSync(tmpdir()).filter((f) => f.startsWith("credsim-scenario-"));
    const copiesBefore = copies();
    const child = spawn(process.execPath, [bin, "run", "/dev/stdin", "--agents", agents, "--out", "orphan", "--quiet"], {
      cwd: dir,
      env,
      stdio: ["pipe", "ignore", "ignore"],
    });
    child.stdin.end(readFileSync(new URL("../presets/fused-city.yaml", import.meta.url), "utf8"));
    await new Promise((r) => setTimeout(r, 4000));
    const [restarted] = readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, "utf8").trim().split(" ").filter(Boolean).map(Number);
    expect(restarted).toBeGreaterThan(0);
    child.kill("SIGKILL"); // no handler runs; only the closed IPC channel tells the restarted run
    const gone = () => {
      try {
        process.kill(restarted, 0);
        return false;
      } catch {
        return true;
      }
    };
    const sent = Date.now();
    while (!gone() && Date.now() - sent < 5000) await new Promise((r) => setTimeout(r, 100));
    expect(gone()).toBe(true);
    expect(readdirSync(dir).filter((f) => f.startsWith("orphan"))).toEqual([]);
    expect(copies()).toEqual(copiesBefore);
  }, 60_000);
});
