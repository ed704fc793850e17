import { spawnSync } from "node:child_process";
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { beforeAll, describe, expect, it } from "vitest";
import { trackingPool } from "../src/engine/history.js";
import type { Model } from "../src/engine/model.js";
import { execute } from "../src/store/execute.js";
import { preset, withChanges } from "./helpers.js";

const bin = new URL("../bin/credsim.js", import.meta.url).pathname;
let dir: string;
const credsim = (args: string[]) => spawnSync(process.execPath, [bin, ...args], { cwd: dir, encoding: "utf8" });

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "credsim-follow-"));
  const r = credsim(["run", "fused-city", "--agents", "20000", "--track", "30", "--out", "run", "--quiet"]);
  if (r.status !== 0) throw new Error(r.stderr);
});

describe("following one person", () => {
  it("logs a pool of about 50 per person followed, each agent or household drawn with the same chance", () => {
    const agents = 1_000_000;
    const size = 5000;
    const p = size / agents;
    const count = (mask: Uint8Array, from = 0, to = mask.length) => mask.subarray(from, to).reduce((n, x) => n + x, 0);
    const mask = trackingPool({ agents, seed: 7 } as Model, size, null);
    const n = count(mask);
    // members ~ Binomial(10^6, p); tolerances are 4 standard deviations
    expect(Math.abs(n - size)).toBeLessThan(4 * Math.sqrt(agents * p * (1 - p)));
    // as many in each half, given the count
    expect(Math.abs(2 * count(mask, 0, agents / 2) - n)).toBeLessThan(4 * Math.sqrt(n));
    // independent draws: the next member is within 100 agents with probability 1 − (1 − p)^100
    const members: number[] = [];
    for (let i = 0; i < agents; i++) if (mask[i] === 1) members.push(i);
    const near = members.filter((i, k) => k + 1 < members.length && members[k + 1] - i <= 100).length;
    const q = 1 - (1 - p) ** 100;
    expect(Math.abs(near - (n - 1) * q)).toBeLessThan(4 * Math.sqrt((n - 1) * q * (1 - q)));
    expect(trackingPool({ agents, seed: 7 } as Model, size, null)).toEqual(mask);
    // another seed, another pool: they share about size · p members
    expect(count(trackingPool({ agents, seed: 8 } as Model, size, null).map((x, i) => x & mask[i]))).toBeLessThan(size * p + 4 * Math.sqrt(size * p));
    // with households, whole households of three, each with chance p
    const households = Int32Array.from({ length: Math.ceil(agents / 3) + 1 }, (_, h) => Math.min(agents, 3 * h));
    const byHousehold = trackingPool({ agents, seed: 7 } as Model, size, households);
    const drawn = Array.from({ length: households.length - 1 }, (_, h) => count(byHousehold, households[h], households[h + 1]));
    expect(drawn.every((x, h) => x === 0 || x === households[h + 1] - households[h])).toBe(true);
    const H = drawn.filter((x) => x > 0).length;
    expect(Math.abs(H - (households.length - 1) * p)).toBeLessThan(4 * Math.sqrt((households.length - 1) * p * (1 - p)));
  });

  it("picks interesting people, and following them does not change the run", async () => {
    const s = withChanges(preset("fused-city"), (x) => void (x.population.agents = 20000));
    const tracked = await execute(s, { track: 30 });
    const plain = await execute(s, { track: 0 });
    expect(JSON.stringify(tracked.summary)).toBe(JSON.stringify(plain.summary));
    const followed = tracked.tables.followed ?? [];
    expect(followed.length).toBe(30);
    const reasons = new Set(followed.map((f) => f.reason));
    for (const r of ["wrongful", "spillover", "appealed", "false-record", "random"]) expect(reasons).toContain(r);
    // every wrongful pick was listed wrongfully at least once, by its own history
    for (const f of followed.filter((x) => x.reason === "wrongful")) {
      expect((tracked.tables.history ?? []).some((h) => h.agent === f.agent && h.event === "listed" && h.flag === 1)).toBe(true);
    }
  });

  it("counts a relative's listing as spillover only when it puts restrictions on the household", async () => {
    const base = withChanges(preset("fused-city"), (x) => void (x.population.agents = 20000));
    const run = await execute(base, { track: 30 });
    const followed = run.tables.followed ?? [];
    const history = run.tables.history ?? [];
    const picked = new Set(followed.map((f) => f.agent));
    // every spillover pick has a relative listed in a domain with a household restriction (the only relatives' listings kept)
    for (const f of followed.filter((x) => x.reason === "spillover")) {
      const relatives = String(f.household)
        .split(" ")
        .map(Number)
        .filter((j) => j !== f.agent);
      expect(history.some((h) => relatives.includes(h.agent as number) && h.event === "listed")).toBe(true);
    }
    // with no household restriction, nobody is picked for spillover and no relative's listing is shown
    const none = withChanges(base, (x) => void (x.restrictions.schooling.household = false));
    const r = await execute(none, { track: 30 });
    expect((r.tables.followed ?? []).length).toBe(30);
    expect((r.tables.followed ?? []).some((f) => f.reason === "spillover")).toBe(false);
    const chosen = new Set((r.tables.followed ?? []).map((f) => f.agent));
    expect((r.tables.history ?? []).every((h) => chosen.has(h.agent))).toBe(true);
    expect(picked.size).toBe(30);
  });

  it("tells a wrongfully listed person's story in the terminal, consistently with the run", () => {
    const r = credsim(["follow", "run", "--pick", "wrongful"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Person \d+ \(followed: wrongfully listed\)/);
    expect(r.stdout).toContain("LISTED until day");
    expect(r.stdout).toContain("wrongful: the same rules with perfect information would not list this person");
    const json = JSON.parse(credsim(["follow", "run", "--pick", "spillover", "--json"]).stdout);
    expect(json.timeline.some((l: { text: string }) => l.text.startsWith("relative "))).toBe(true);
  });

  it("puts one story in the report", () => {
    const html = readFileSync(join(dir, "run/report.html"), "utf8");
    expect(html).toContain(`<h2 id="story">One person's story</h2>`);
  });

  it("says clearly when a person was not followed", () => {
    const r = credsim(["follow", "run", "--agent", "19999999"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe("credsim: --agent: this run has no person 19999999: its 20,000 people are numbered 0 to 19,999\n");
    const unfollowed = credsim(["follow", "run", "--agent", "19999"]);
    expect(unfollowed.status).toBe(2);
    expect(unfollowed.stderr).toContain("person 19999 was not followed in this run; followed are, e.g.:");
    const none = credsim(["run", "reference", "--agents", "2000", "--track", "0", "--out", "none", "--quiet"]);
    expect(none.status).toBe(0);
    const f = credsim(["follow", "none"]);
    expect(f.status).toBe(2);
    expect(f.stderr).toContain("followed nobody");
  });

  it("refuses a folder whose database is not a run's, or whose summary.json is damaged, as `report` does", async () => {
    mkdirSync(join(dir, "other"));
    copyFileSync(join(dir, "none", "summary.json"), join(dir, "other", "summary.json"));
    const db = await DuckDBInstance.create(join(dir, "other", "credsim.duckdb"));
    const con = await db.connect();
    await con.run("create table notes (x integer)");
    con.closeSync();
    db.closeSync();
    const f = credsim(["follow", "other"]);
    expect(f.status).toBe(2);
    expect(f.stderr).toContain("has no table daily, behaviours; the run folder is damaged");
    cpSync(join(dir, "none"), join(dir, "cut"), { recursive: true });
    writeFileSync(join(dir, "cut", "summary.json"), readFileSync(join(dir, "cut", "summary.json"), "utf8").slice(0, 200));
    const cut = credsim(["follow", "cut"]);
    expect(cut.status).toBe(2);
    expect(cut.stderr).toBe(credsim(["report", "cut"]).stderr);
  });
});
