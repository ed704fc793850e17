import type { Scenario } from "./schema.js";

/** JSON with object keys sorted at every level, so equal scenarios serialise equally. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
}

/**
 * SHA-256 (first 16 hex digits) of the resolved scenario without its seed: the
 * replicates of one scenario share a hash and differ by seed. Web Crypto, so the
 * lab computes the same hash in a browser.
 */
export async function scenarioHash(scenario: Scenario): Promise<string> {
  const { seed: _seed, ...rest } = scenario;
  return shortHash(canonicalJson(rest));
}

/** SHA-256 of a text, first 16 hex digits. */
export async function shortHash(text: string): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest).slice(0, 8), (b) => b.toString(16).padStart(2, "0")).join("");
}
