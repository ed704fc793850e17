import { readdirSync, writeFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig, type Plugin } from "vite";

// The lab: web/ built into dist/lab/ with relative paths, so `credsim lab` can
// serve it from any folder, and a list of its files for the offline cache.

const outDir = fileURLToPath(new URL("../dist/lab", import.meta.url));

// after everything is written (the worker is bundled separately), list the folder
const precache = (): Plugin => ({
  name: "credsim-precache",
  apply: "build",
  closeBundle() {
    const files = readdirSync(outDir, { recursive: true, withFileTypes: true })
      .filter((d) => d.isFile() && d.name !== "precache.json" && !d.name.endsWith(".map"))
      .map((d) => relative(outDir, join(d.parentPath, d.name)).split(sep).join("/"))
      .sort();
    writeFileSync(join(outDir, "precache.json"), JSON.stringify({ files }));
  },
});

export default defineConfig(({ command }) => ({
  // the offline cache is for the built page only; in development it would serve stale modules
  define: { __LAB_BUILD__: JSON.stringify(command === "build") },
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "./",
  plugins: [precache()],
  worker: { format: "es" },
  build: {
    outDir,
    emptyOutDir: true,
    target: "es2022",
    chunkSizeWarningLimit: 2000,
  },
  server: { fs: { allow: [fileURLToPath(new URL("..", import.meta.url))] } },
}));
