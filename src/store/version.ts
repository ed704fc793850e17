import { readFileSync } from "node:fs";

/** The credsim version, from package.json (two levels above src/store and dist/store). */
export const credsimVersion: string = (() => {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
  return pkg.version;
})();
