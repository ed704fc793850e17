import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";

// End to end in Debian's Chromium (never a downloaded browser): `credsim lab`
// builds and serves the page; each test drives it as a person would and writes
// a screenshot to test/screenshots/lab/ for a reviewer to look at.

const CHROMIUM = "/usr/bin/chromium";
const SHOTS = "test/screenshots/lab";
type Summary = { total: Record<string, number | null>; groups: Record<string, Record<string, number | null>>; scenarioHash: string };

let server: ChildProcess;
let url: string;
let browser: Browser;
let context: BrowserContext;
const problems: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium); .ci/run does`);
  mkdirSync(SHOTS, { recursive: true });
  server = spawn("node", ["bin/credsim.js", "lab", "--port", "0", "--quiet"], { stdio: ["ignore", "pipe", "inherit"] });
  url = await new Promise<string>((resolve, reject) => {
    server.stdout?.on("data", (d) => {
      const m = /http:\/\/\S+\//.exec(String(d));
      if (m) resolve(m[0]);
    });
    server.on("exit", (code) => reject(new Error(`credsim lab exited with ${code}`)));
  });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
  });
  context = await browser.newContext({ viewport: { width: 1366, height: 860 } });
});

afterAll(async () => {
  await browser?.close();
  server?.kill();
});

async function open(fragment = ""): Promise<Page> {
  const page = await context.newPage();
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") problems.push(`${m.type()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  await page.goto(url + fragment);
  await finished(page);
  return page;
}

/** Waits for the current run to end (a new one may start after a debounce). */
async function finished(page: Page, before = -1): Promise<void> {
  await page.waitForFunction(
    (n) => (window.credsimLab?.runs() > n && document.body.dataset.run !== "running") || document.body.dataset.run === "error",
    before,
    { timeout: 60_000 },
  );
  await page.waitForFunction(() => document.body.dataset.run === "done" || document.body.dataset.run === "error", null, { timeout: 60_000 });
}

const runs = (page: Page) => page.evaluate(() => window.credsimLab.runs());
const summaryOf = (page: Page, key: "a" | "b" = "a") => page.evaluate((k) => window.credsimLab.results()[k]?.summary, key) as Promise<Summary>;
const shot = (page: Page, name: string) => page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: false });

describe("the lab", () => {
  it("loads the default preset with no console errors, runs 100,000 people, and shows every chart while it runs and after", async () => {
    const page = await context.newPage();
    page.on("console", (m) => {
      if (m.type() === "error" || m.type() === "warning") problems.push(`${m.type()}: ${m.text()}`);
    });
    page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
    await page.goto(url);
    // live: charts appear before the run ends, with a note of how far it got
    await page.waitForSelector("#metrics .note", { timeout: 30_000 });
    expect(await page.textContent("#metrics .note")).toMatch(/Partial: day \d+ of 365/);
    await shot(page, "01-running");
    await finished(page);
    expect(await page.textContent("#status")).toMatch(/^Done in [\d.]+ s: 100,000 people × 365 days, seed 1/);
    expect(await page.locator(".chart-row").count()).toBe(10);
    expect(await page.locator(".chart-row svg").count()).toBe(10);
    const s = await summaryOf(page);
    expect(s.total.agents).toBe(100_000);
    expect(s.total.everListedShare).toBeGreaterThan(0);
    expect(page.url()).toContain("#p=fused-city&n=100000&d=365&s=1");
    await shot(page, "02-done");
    expect(problems).toEqual([]);
    await page.close();
  });

  it("runs every preset (small populations)", async () => {
    const page = await open("#p=reference&n=2000");
    const names = await page.$$eval("#preset option", (os) => os.map((o) => (o as HTMLOptionElement).value));
    expect(names.length).toBeGreaterThanOrEqual(17);
    for (const name of names) {
      const n = await runs(page);
      await page.evaluate((h) => {
        location.hash = h;
      }, `p=${name}&n=3000&d=365&s=3`);
      await finished(page, n);
      expect(await page.evaluate(() => document.body.dataset.run), name).toBe("done");
      expect((await summaryOf(page)).total.agents, name).toBe(3000);
      // the preset's sources and assumptions, as its YAML and docs/presets.md give them
      const sources = await page.$$eval("#preset-sources li", (ls) => ls.map((l) => l.textContent ?? ""));
      const own = parseYaml(readFileSync(`presets/${name}.yaml`, "utf8")) as { assumptions?: string[] };
      if (own.assumptions?.length) expect(sources, name).toContain(own.assumptions[0]);
      if (name === "court-defaulters") expect(sources.some((x) => x.startsWith("Provisions of the Supreme People's Court"))).toBe(true);
    }
    expect(problems).toEqual([]);
    await page.close();
  });

  it("gives the numbers `credsim run` gives for the same scenario and seed", async () => {
    const page = await open("#p=reference&n=20000&d=365&s=7");
    const lab = await summaryOf(page);
    const cli = JSON.parse(
      execFileSync(
        "node",
        ["bin/credsim.js", "run", "reference", "--agents", "20000", "--seed", "7", "--json", "--out", join(mkdtempSync(join(tmpdir(), "credsim-lab-")), "run")],
        {
          encoding: "utf8",
        },
      ),
    );
    expect(lab.scenarioHash).toBe(cli.scenarioHash);
    expect(lab.total).toEqual(cli.total);
    expect(lab.groups).toEqual(cli.groups);
    await page.close();
  });

  it("moving a slider with the keyboard changes the metrics it should", async () => {
    const page = await open("#p=reference&n=100000&d=365&s=1");
    const before = await summaryOf(page);
    // sensor error ×1 → ×10, from the keyboard: more false records, more wrongful listings
    const n = await runs(page);
    await page.focus("#knob-sensorError");
    await page.keyboard.press("End");
    await finished(page, n);
    expect(await page.inputValue("#knob-sensorError")).toBe("10");
    const after = await summaryOf(page);
    expect(page.url()).toContain("k=e10");
    // at 100,000 people these moves are many standard errors wide
    expect(after.total.fpr as number).toBeGreaterThan(2 * (before.total.fpr as number));
    expect(after.total.wrongfulShareOfListed as number).toBeGreaterThan(before.total.wrongfulShareOfListed as number);
    await shot(page, "03-slider");
    // a lower listing threshold lists fewer people
    const m = await runs(page);
    await page.focus("#knob-threshold");
    for (let k = 0; k < 40; k++) await page.keyboard.press("ArrowLeft");
    await finished(page, m);
    const lower = await summaryOf(page);
    expect(lower.total.everListedShare as number).toBeLessThan(after.total.everListedShare as number);
    await page.close();
  });

  it("compares two policies side by side, same seed", async () => {
    const page = await open("#p=fused-city&n=30000&d=365&s=2");
    const n = await runs(page);
    await page.check("#compare");
    await finished(page, n);
    expect(await page.getAttribute("#tab-b", "aria-selected")).toBe("true");
    // B: no joint punishment
    const m = await runs(page);
    await page.uncheck("#knob-joint");
    await finished(page, m);
    const a = await summaryOf(page, "a");
    const b = await summaryOf(page, "b");
    expect(a.total.agents).toBe(b.total.agents);
    expect(await page.locator(".chart-row").first().locator("figure").count()).toBe(2);
    const header = await page.$$eval("#metrics table.compare thead th", (ths) => ths.map((t) => t.textContent));
    expect(header).toEqual(["", "A: fused-city", "B: fused-city", "B: fused-city − A: fused-city"]);
    // without joint punishment, fewer restrictions fall on the listed: fewer sanction-days
    expect(b.total.sanctionDays as number).toBeLessThan(a.total.sanctionDays as number);
    await shot(page, "04-compare");
    await page.close();
  });

  it("follows one person: a wrongfully listed citizen's year, then anyone by number", async () => {
    const page = await open("#p=fused-city&n=50000&d=365&s=1");
    await page.click("#view-tab-follow");
    const first = page.locator("#candidates button.person").first();
    await first.click();
    const agent = Number((await first.textContent())?.slice(1));
    expect(await page.textContent("#story")).toContain(`Person ${agent} (followed: wrongfully listed)`);
    const lines = await page.$$eval("#story .timeline li", (lis) => lis.map((l) => l.textContent ?? ""));
    expect(lines.some((l) => /LISTED until day \d+ — wrongful/.test(l))).toBe(true);
    expect(await page.locator("#story .score-chart svg").count()).toBe(1);
    expect(page.url()).toContain(`who=${agent}`);
    await shot(page, "05-follow");
    // someone not among the followed: the page runs again with that person logged
    const n = await runs(page);
    await page.fill("#person", "12345");
    await page.press("#person", "Enter");
    await finished(page, n);
    expect(await page.textContent("#story")).toContain("Person 12345 (followed:");
    // the run's own picks are still listed beside the person followed by number
    expect(await page.locator(`#candidates button.person[data-agent="${agent}"]`).count()).toBe(1);
    expect(await page.locator(`#candidates button.person[data-agent="12345"]`).count()).toBe(1);
    await page.close();
  });

  it("says what the CLI would warn of, runs nothing while a size is invalid, and takes a link's missing sizes from the preset", async () => {
    const page = await open("#p=reference&n=5000&k=t1005");
    expect(await page.textContent("#status")).toContain("Warning: listing.enterBelow: is above the starting score 1000: everyone is listed from day 0");
    const n = await runs(page);
    await page.fill("#agents", "6000000");
    await page.press("#agents", "Tab");
    await page.fill("#days", "30");
    await page.press("#days", "Tab");
    await page.waitForTimeout(300);
    expect(await page.textContent("#status")).toContain("fix this value first");
    expect(await runs(page)).toBe(n);
    await page.close();
    // no d in the link: court-defaulters runs its own 730 days, as when picked from the menu
    const court = await open("#p=court-defaulters&n=5000");
    expect((await summaryOf(court)).total.agents).toBe(5000);
    expect(await court.evaluate(() => window.credsimLab.state().days)).toBe(730);
    await court.close();
  });

  it("draws the contact network at small populations, with listed people and cut ties", async () => {
    const page = await open("#p=fused-city&n=1500&d=365&s=4&v=network");
    expect(await page.locator("#network canvas").count()).toBe(1);
    const label = (await page.getAttribute("#network canvas", "aria-label")) ?? "";
    const m = /Contact network of (\d+) people: (\d+) listed wrongfully, (\d+) listed rightfully/.exec(label);
    expect(m).not.toBeNull();
    expect(Number(m?.[1])).toBeGreaterThan(1000);
    expect(Number(m?.[2]) + Number(m?.[3])).toBeGreaterThan(0);
    await shot(page, "06-network");
    await page.close();
  });

  it("a link reproduces the same numbers", async () => {
    const page = await open("#p=court-defaulters&n=20000&d=365&s=11");
    const n = await runs(page);
    await page.focus("#knob-sensorError");
    for (let k = 0; k < 15; k++) await page.keyboard.press("ArrowRight");
    await finished(page, n);
    const link = page.url();
    const first = await summaryOf(page);
    const again = await open(link.slice(url.length));
    expect(again.url()).toBe(link);
    expect(await summaryOf(again)).toEqual(first);
    expect(await again.inputValue("#knob-sensorError")).toBe(await page.inputValue("#knob-sensorError"));
    await page.close();
    await again.close();
  });

  it("shows a bad YAML edit as the CLI would, and keeps the last results", async () => {
    const page = await open("#p=reference&n=10000");
    const before = await summaryOf(page);
    await page.click("#yaml-details summary");
    const text = await page.inputValue("#yaml");
    await page.fill("#yaml", text.replace(/reversion: [\d.]+/, "reversion: 2"));
    await page.waitForSelector("#yaml-error:not([hidden])");
    const message = await page.textContent("#yaml-error");
    expect(message).toMatch(/^reference\.yaml \(edited\):\d+:\d+: scoring\.reversion: /);
    expect(await page.getAttribute("#yaml", "aria-invalid")).toBe("true");
    expect(await page.evaluate(() => document.body.dataset.run)).toBe("error");
    expect(await summaryOf(page)).toEqual(before);
    await shot(page, "07-bad-yaml");
    await page.close();
  });

  it("works offline once loaded", async () => {
    const page = await open("#p=reference&n=5000");
    const ready = await page.evaluate(() =>
      Promise.race([
        navigator.serviceWorker.ready.then(() => "ready"),
        new Promise((resolve) => setTimeout(() => resolve("no service worker after 20 s"), 20_000)),
      ]),
    );
    expect(ready).toBe("ready");
    await context.setOffline(true);
    try {
      await page.reload({ timeout: 20_000 });
      await finished(page);
      expect(await page.evaluate(() => document.body.dataset.run)).toBe("done");
    } finally {
      await context.setOffline(false);
    }
    await page.close();
  });

  it("reports a bad link parameter and keeps going", async () => {
    const page = await open("#p=reference&n=abc&s=3");
    expect(await page.textContent("#notices")).toContain("link: n (agents): expected an integer from 10 to 5,000,000, got 'abc'");
    expect(await page.evaluate(() => document.body.dataset.run)).toBe("done");
    await page.close();
  });
});
