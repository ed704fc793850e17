import { createHash } from "node:crypto";
import { Stream } from "../engine/rng.js";
import { canonicalJson } from "../scenario/hash.js";
import type { SweepSpec } from "./spec.js";

export type ParamValue = number | string | boolean;
export type Params = Record<string, ParamValue>;

export interface Variant {
  id: string;
  params: Params;
}

export interface PlannedRun {
  index: number;
  runId: string;
  variantId: string;
  replicate: number;
  seed: number;
  params: Params;
}

const DESIGN_PURPOSE = 6;

/** Stable id of a variant: a hash of its parameters only. */
export function variantId(params: Params): string {
  return createHash("sha256").update(canonicalJson(params)).digest("hex").slice(0, 12);
}

/**
 * A run's seed from the master seed, its parameters and its replicate number, so
 * adding or removing variants never changes any other run.
 */
export function runSeed(master: number, params: Params, replicate: number): number {
  return createHash("sha256")
    .update(`${master}|${canonicalJson(params)}|${replicate}`)
    .digest()
    .readUInt32BE(0);
}

type Range = { from: number; to: number; log: boolean; integer: boolean };

function fromUnit(r: Range, u: number): number {
  const v = r.log ? Math.exp(Math.log(r.from) + u * (Math.log(r.to) - Math.log(r.from))) : r.from + u * (r.to - r.from);
  return r.integer ? Math.round(v) : v;
}

/** The distinct variants of a sweep, in a fixed order. */
export function variants(spec: SweepSpec): Variant[] {
  const keys = Object.keys(spec.vary);
  const out: Params[] = [];
  if (spec.design.type === "grid") {
    let combos: Params[] = [{}];
    for (const k of keys) {
      const values = spec.vary[k] as ParamValue[];
      combos = combos.flatMap((c) => values.map((v) => ({ ...c, [k]: v })));
    }
    out.push(...combos);
  } else {
    const n = spec.design.samples ?? 1;
    const streams = keys.map((_, i) => new Stream(spec.seed, i, DESIGN_PURPOSE));
    // Latin hypercube: each field's n strata in a random order, one draw inside each.
    const strata = keys.map((_, i) => {
      const perm = Array.from({ length: n }, (_, x) => x);
      for (let x = n - 1; x > 0; x--) {
        const j = streams[i].below(x + 1);
        [perm[x], perm[j]] = [perm[j], perm[x]];
      }
      return perm;
    });
    for (let s = 0; s < n; s++) {
      const p: Params = {};
      keys.forEach((k, i) => {
        const v = spec.vary[k];
        const u = spec.design.type === "lhs" ? (strata[i][s] + streams[i].next()) / n : streams[i].next();
        if (Array.isArray(v)) p[k] = v[Math.min(v.length - 1, Math.floor(u * v.length))];
        else p[k] = fromUnit(v as Range, u);
      });
      out.push(p);
    }
  }
  // A random or Latin-hypercube design may draw the same variant twice (from a
  // list, or an integer range): it runs once, its replicates being its repeats.
  const seen = new Set<string>();
  const distinct: Variant[] = [];
  for (const params of out) {
    const id = variantId(params);
    if (!seen.has(id)) {
      seen.add(id);
      distinct.push({ id, params });
    }
  }
  return distinct;
}

export function plannedRuns(spec: SweepSpec): PlannedRun[] {
  const runs: PlannedRun[] = [];
  for (const v of variants(spec)) {
    for (let r = 0; r < spec.replicates; r++) {
      runs.push({ index: runs.length, runId: `${v.id}-r${r}`, variantId: v.id, replicate: r, seed: runSeed(spec.seed, v.params, r), params: v.params });
    }
  }
  return runs;
}

/** Sets a dotted path in a plain object, creating maps on the way. */
export function setPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split(".");
  let node = obj;
  for (let k = 0; k < parts.length - 1; k++) {
    const next = node[parts[k]];
    if (next === null || typeof next !== "object") node[parts[k]] = {};
    node = node[parts[k]] as Record<string, unknown>;
  }
  node[parts[parts.length - 1]] = value;
}

/** Reads a dotted path from a plain object (undefined if absent). */
export function getPath(obj: unknown, path: string): unknown {
  let node = obj;
  for (const part of path.split(".")) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

/** Column name for a dotted path: parameters get p_, kept metrics k_. */
export function column(prefix: string, path: string): string {
  return `${prefix}_${path
    .replace(/[^A-Za-z0-9]+/g, "_")
    .replace(/([a-z])([A-Z])/g, "$1_$2")
    .toLowerCase()}`;
}
