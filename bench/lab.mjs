// npm run bench:lab — the lab's speed in Debian's Chromium: 100,000 agents × 365
// days of the default preset and of the reference, run in the page's Web Worker.
// Records the medians between the LAB markers of docs/performance.md.
// Options: --no-write.
import { spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { chromium } from "playwright-core";

const write = !process.argv.includes("--no-write");
if (!existsSync("/usr/bin/chromium")) {
  process.stderr.write("bench/lab.mjs: /usr/bin/chromium is missing (apt-get install -y chromium); skipped\n");
  process.exit(0);
}
const server = spawn(process.execPath, [new URL("../bin/credsim.js", import.meta.url).pathname, "lab", "--port", "0", "--quiet"], {
  stdio: ["ignore", "pipe", "inherit"],
});
const url = await new Promise((resolve) => server.stdout.on("data", (d) => /http:\/\/\S+\//.exec(String(d)) && resolve(/http:\/\/\S+\//.exec(String(d))[0])));
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
});
const version = browser.version();
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rows = [];
try {
  for (const preset of ["fused-city", "reference"]) {
    const inWorker = [];
    const wall = [];
    for (let r = 0; r < 5; r++) {
      const page = await browser.newPage();
      await page.goto(`${url}#p=${preset}&n=100000&d=365&s=${r + 1}`);
      await page.waitForFunction(() => document.body.dataset.run === "done", null, { timeout: 120_000 });
      const result = await page.evaluate(() => window.credsimLab.results().a);
      const status = await page.textContent("#status");
      inWorker.push(result.seconds);
      wall.push(Number(/Done in ([\d.]+) s/.exec(status)[1]));
      await page.close();
    }
    rows.push({ preset, worker: median(inWorker), wall: median(wall), runs: wall });
    process.stderr.write(`lab, ${preset} 100k × 365: ${median(wall).toFixed(2)} s on screen, ${median(inWorker).toFixed(2)} s in the worker (medians of 5)\n`);
  }
} finally {
  await browser.close();
  server.kill();
}
const block = [
  "<!-- LAB:START (written by `npm run bench:lab`; do not edit by hand) -->",
  `Command: \`npm run bench:lab\` · ${new Date().toISOString().slice(0, 10)} · Chromium ${version}, headless`,
  "",
  "| lab run (100,000 agents × 365 days, 5 seeds) | from the start of the run to the last chart (median) | in the Web Worker (median) | runs |",
  "| --- | ---: | ---: | --- |",
  ...rows.map((r) => `| ${r.preset} | ${r.wall.toFixed(2)} s | ${r.worker.toFixed(2)} s | ${r.runs.map((x) => x.toFixed(2)).join(", ")} |`),
  "<!-- LAB:END -->",
].join("\n");
process.stdout.write(`${block}\n`);
if (write) {
  const file = new URL("../docs/performance.md", import.meta.url);
  const doc = readFileSync(file, "utf8");
  writeFileSync(
    file,
    doc.includes("<!-- LAB:START") ? doc.replace(/<!-- LAB:START[\s\S]*?<!-- LAB:END -->/, block) : `${doc.trimEnd()}\n\n## The lab\n\n${block}\n`,
  );
}
