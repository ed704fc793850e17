import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { createServer } from "node:http";
import { extname, join, normalize, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { InputError } from "../scenario/errors.js";
import { intFlag } from "./scenario-arg.js";

// `credsim lab`: builds the in-browser lab if its sources are newer than the
// build (or there is no build), then serves dist/lab on localhost.

const root = fileURLToPath(new URL("../../", import.meta.url));
const labDir = join(root, "dist", "lab");
const SOURCES = ["web", "src", "presets"].map((d) => join(root, d));
export const DEFAULT_LAB_PORT = 5180;

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".wasm": "application/wasm",
};

function newest(dir: string): number {
  let t = 0;
  for (const d of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (d.isFile()) t = Math.max(t, statSync(join(d.parentPath, d.name)).mtimeMs);
  }
  return t;
}

/** True when there is no build, or a source file changed after it. */
export function labNeedsBuild(): boolean {
  const index = join(labDir, "index.html");
  if (!existsSync(index)) return true;
  const sources = SOURCES.filter((d) => existsSync(d));
  if (!existsSync(join(root, "web"))) return false; // an installed package ships the build only
  return Math.max(...sources.map(newest)) > statSync(index).mtimeMs;
}

export async function buildLab(quiet: boolean): Promise<void> {
  if (!existsSync(join(root, "web", "vite.config.ts"))) throw new Error(`the lab is not built and its sources (web/) are missing from ${root}`);
  if (!quiet) process.stderr.write("credsim lab: building the page…\n");
  // a production build whatever the calling environment (a test runner sets NODE_ENV=test)
  process.env.NODE_ENV = "production";
  const { build } = await import("vite");
  await build({ configFile: join(root, "web", "vite.config.ts"), logLevel: "warn" });
}

export async function labCommand(flags: { port?: string; build?: boolean; quiet?: boolean }): Promise<void> {
  const port = intFlag("--port", flags.port, 0, 65535) ?? DEFAULT_LAB_PORT;
  if (flags.build !== false && labNeedsBuild()) await buildLab(Boolean(flags.quiet));
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://localhost").pathname);
    const file = normalize(join(labDir, path.endsWith("/") ? `${path}index.html` : path));
    if (!file.startsWith(labDir + sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { "content-type": "text/plain; charset=utf-8" }).end("not found\n");
      return;
    }
    // hashed assets never change; the page and the service worker are checked each time
    const immutable = path.startsWith("/assets/");
    res.writeHead(200, {
      "content-type": TYPES[extname(file)] ?? "application/octet-stream",
      "cache-control": immutable ? "public, max-age=31536000, immutable" : "no-cache",
    });
    res.end(readFileSync(file));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (e: NodeJS.ErrnoException) => {
      if (e.code === "EADDRINUSE")
        reject(new InputError("--port", [{ field: "", message: `port ${port} is in use; choose another with --port (0 picks a free one)` }]));
      else if (e.code === "EACCES") reject(new InputError("--port", [{ field: "", message: `not allowed to listen on port ${port}; choose one above 1023` }]));
      else reject(e);
    });
    server.listen(port, "127.0.0.1", resolve);
  });
  const address = server.address();
  const actual = typeof address === "object" && address ? address.port : port;
  process.stdout.write(`credsim lab: http://localhost:${actual}/  (Ctrl-C to stop)\n`);
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.removeAllListeners(signal);
    process.on(signal, () => {
      server.close();
      process.exit(0);
    });
  }
}
