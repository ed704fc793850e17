import { countersArrays } from "../dist/engine/counters.js";

/** Every counter, folded into one number: equal runs give equal hashes (bench/child.mjs and bench/phases.mjs print it, so runs can be matched). */
export function countersHash(c) {
  let h = 0;
  for (const a of countersArrays(c)) for (let i = 0; i < a.length; i++) h = (h * 31 + a[i] * 7919 + i) % 1e15;
  return h;
}
