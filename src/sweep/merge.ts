import { existsSync, readdirSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { InputError } from "../scenario/errors.js";
import { openDatabase } from "../store/duckdb.js";
import { makeDirs } from "../store/make-dirs.js";
import { missingShards } from "./missing-shards.js";
import { exportParquet, firstLine } from "./sweep.js";

// Joins the outputs of a sharded sweep (credsim sweep --shard i/N, one folder per
// shard) into one database and Parquet files equal to an unsharded sweep's.

export async function mergeSweeps(
  dirs: string[],
  out: string,
  allowMissing = false,
): Promise<{ runs: number; failed: number; files: string[]; missing: string[] }> {
  for (const d of dirs) {
    if (!existsSync(join(d, "sweep.duckdb")))
      throw new InputError(d, [{ field: "", message: "no sweep.duckdb here: expected the output folder of `credsim sweep --shard i/N`" }]);
  }
  if (existsSync(join(out, "sweep.duckdb"))) throw new InputError(out, [{ field: "--out", message: "already holds a sweep.duckdb; merge into a new folder" }]);
  // Built in a partial folder and renamed at the end: a failed merge leaves nothing that looks complete.
  const partial = `${out.replace(/\/+$/, "")}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  makeDirs(partial);
  const db = await openDatabase(join(partial, "sweep.duckdb"));
  const con = db.connection;
  let ok = false;
  try {
    const metas: { name: string; spec_hash: string; credsim_version: string; shard: string; runs_planned: number }[] = [];
    for (const [k, d] of dirs.entries()) {
      let meta: (typeof metas)[number] | undefined;
      try {
        await con.run(`ATTACH '${join(d, "sweep.duckdb").replace(/'/g, "''")}' AS s${k} (READ_ONLY)`);
        meta = (await con.runAndReadAll(`SELECT * FROM s${k}.sweep`)).getRowObjects()[0] as unknown as (typeof metas)[number];
      } catch (error) {
        throw new InputError(d, [{ field: "", message: `its sweep.duckdb cannot be read (${firstLine(error)}): is it damaged?` }]);
      }
      if (!meta) throw new InputError(d, [{ field: "", message: "its sweep.duckdb names no sweep: is it damaged?" }]);
      metas.push({ ...meta, runs_planned: Number(meta.runs_planned) });
    }
    const first = metas[0];
    metas.forEach((m, k) => {
      if (m.spec_hash !== first.spec_hash) {
        throw new InputError(dirs[k], [{ field: "", message: `comes from a different sweep (spec ${m.spec_hash}) than ${dirs[0]} (spec ${first.spec_hash})` }]);
      }
      if (m.credsim_version !== first.credsim_version) {
        throw new InputError(dirs[k], [
          {
            field: "",
            message: `was written by credsim ${m.credsim_version}, ${dirs[0]} by ${first.credsim_version}: a sweep's shards must come from one version`,
          },
        ]);
      }
    });
    // a folder holds one shard ("2/3"), several from a partial merge ("1/3+2/3"), or all of them
    const held = metas.map((m) => m.shard.split("+"));
    const shards = held.flat();
    const owner = held.flatMap((list, k) => list.map(() => k));
    const complete = shards.includes("all");
    const count = Number(shards.find((s) => s !== "all")?.split("/")[1] ?? 1);
    const otherCount = held.findIndex((list) => list.some((s) => s !== "all" && Number(s.split("/")[1]) !== count));
    if (otherCount >= 0)
      throw new InputError(dirs[otherCount], [
        { field: "", message: `holds shard ${held[otherCount].join("+")}, of another --shard count than ${count}: a sweep is split one way` },
      ]);
    const missing = complete ? [] : Array.from({ length: count }, (_, i) => `${i + 1}/${count}`).filter((s) => !shards.includes(s));
    const twice = shards.findIndex((s, i) => shards.indexOf(s) !== i);
    if (twice >= 0 || (complete && dirs.length > 1)) {
      const at = twice >= 0 ? owner[twice] : dirs.length - 1;
      throw new InputError(dirs[at], [
        {
          field: "",
          message:
            twice >= 0
              ? `holds shard ${shards[twice]}, which ${dirs[owner[shards.indexOf(shards[twice])]]} holds too`
              : "holds runs another folder holds too (one of them is a whole sweep)",
        },
      ]);
    }
    // every folder must hold all the runs of the shards it names: an interrupted shard resumes, it is not merged
    for (let k = 0; k < dirs.length; k++) {
      const expected = held[k].reduce((n, s) => n + shardSize(metas[k].runs_planned, s), 0);
      const present = Number((await con.runAndReadAll(`SELECT count(*)::BIGINT AS n FROM s${k}.runs`)).getRowObjects()[0].n);
      if (present < expected)
        throw new InputError(dirs[k], [
          {
            field: "",
            message: `holds ${present} of the ${expected} runs of shard ${held[k].join("+")}: it was interrupted; run its sweep command again (it resumes), then merge`,
          },
        ]);
    }
    if (missing.length && !allowMissing) {
      throw new InputError("merge", [{ field: "", message: `${missingShards(missing)}; give every shard's folder, or --partial to merge what is here` }]);
    }

    const tables = [
      "runs",
      "groups",
      ...((await con.runAndReadAll(`SELECT 1 FROM duckdb_tables() WHERE database_name = 's0' AND table_name = 'daily'`)).getRowObjects().length
        ? ["daily"]
        : []),
    ];
    // a partial merge says which shards it holds, so that merging it with the rest later is checked like any shard
    const label = missing.length ? [...shards].sort((a, b) => Number(a.split("/")[0]) - Number(b.split("/")[0])).join("+") : "all";
    await con.run(`CREATE TABLE sweep AS SELECT name, spec_hash, credsim_version, '${label}' AS shard, runs_planned FROM s0.sweep`);
    for (const t of tables) {
      await con.run(`CREATE TABLE ${t} AS SELECT * FROM s0.${t} WHERE false`);
      for (let k = 0; k < dirs.length; k++) await con.run(`INSERT INTO ${t} SELECT * FROM s${k}.${t}`);
    }
    const counts = (
      await con.runAndReadAll(`SELECT count(*)::BIGINT AS n, count(DISTINCT run_id)::BIGINT AS d, count(*) FILTER (status = 'failed')::BIGINT AS f FROM runs`)
    ).getRowObjects()[0];
    if (counts.n !== counts.d) throw new InputError(out, [{ field: "", message: "the shards share runs: were they run with the same --shard count?" }]);
    for (let k = 0; k < dirs.length; k++) await con.run(`DETACH s${k}`);
    await exportParquet(con, partial, tables.includes("daily"));
    db.close();
    if (existsSync(out)) {
      for (const f of readdirSync(partial)) renameSync(join(partial, f), join(out, f));
      rmSync(partial, { recursive: true, force: true });
    } else renameSync(partial, out);
    ok = true;
    const files = ["runs.parquet", "groups.parquet", ...(tables.includes("daily") ? ["daily.parquet"] : [])].map((f) => join(out, f));
    return { runs: Number(counts.n), failed: Number(counts.f), files, missing };
  } finally {
    if (!ok) {
      db.close();
      rmSync(partial, { recursive: true, force: true });
    }
  }
}

/** Runs of shard "i/N" (run k belongs to shard k mod N + 1) or "all" in a sweep of `planned` runs. */
function shardSize(planned: number, shard: string): number {
  if (shard === "all") return planned;
  const [i, n] = shard.split("/").map(Number);
  return i <= planned ? Math.floor((planned - i) / n) + 1 : 0;
}
