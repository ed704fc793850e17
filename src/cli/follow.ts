import { checkRunFolder, openRunDatabase, readSummary, requireTables } from "../report/load.js";
import { type FollowedRow, type HistoryRow, REASON_TEXT, storyHeader, storyLines } from "../report/story.js";
import { InputError } from "../scenario/errors.js";
import { fmtInt } from "./format.js";
import { intFlag } from "./scenario-arg.js";

export async function loadFollowed(dir: string): Promise<{ followed: FollowedRow[]; history: HistoryRow[] }> {
  checkRunFolder(dir);
  readSummary(dir); // a damaged summary.json is refused here as by `credsim report`
  const { con, tables, close } = await openRunDatabase(dir);
  try {
    requireTables(dir, tables, ["daily", "behaviours"]); // a DuckDB file that is not a run's
    if (!tables.includes("followed")) return { followed: [], history: [] };
    const plain = (r: Record<string, unknown>) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === "bigint" ? Number(v) : v]));
    const followed = (await con.runAndReadAll("select * from followed order by agent")).getRowObjects().map(plain) as unknown as FollowedRow[];
    const history = tables.includes("history")
      ? ((await con.runAndReadAll("select * from history order by agent, seq")).getRowObjects().map(plain) as unknown as HistoryRow[])
      : [];
    return { followed, history };
  } finally {
    close();
  }
}

export async function followCommand(dir: string, flags: { agent?: string; pick?: string; json?: boolean }): Promise<void> {
  const { followed, history } = await loadFollowed(dir);
  if (followed.length === 0) {
    const regional = "regions" in readSummary(dir);
    throw new InputError(dir, [
      {
        field: "",
        message: regional
          ? "this run followed nobody (a run with --regions does not); run the scenario without --regions to follow people"
          : "this run followed nobody (it was run with --track 0); run it again with --track N",
      },
    ]);
  }
  let person: FollowedRow | undefined;
  if (flags.agent !== undefined && flags.pick !== undefined) {
    throw new InputError("--agent", [{ field: "", message: "give --agent or --pick, not both" }]);
  }
  if (flags.agent !== undefined) {
    const id = intFlag("--agent", flags.agent, 0, 1e9) as number;
    person = followed.find((p) => p.agent === id);
    const agents = readSummary(dir).agents;
    if (!person && id >= agents)
      throw new InputError("--agent", [
        { field: "", message: `this run has no person ${id}: its ${fmtInt(agents)} people are numbered 0 to ${fmtInt(agents - 1)}` },
      ]);
    if (!person) {
      const some = followed.slice(0, 8).map((p) => `${p.agent} (${p.reason})`);
      throw new InputError("--agent", [
        {
          field: "",
          message: `person ${id} was not followed in this run; followed are, e.g.: ${some.join(", ")}; or use --pick ${Object.keys(REASON_TEXT).join("|")}`,
        },
      ]);
    }
  } else {
    const pick = flags.pick ?? "wrongful";
    if (!(pick in REASON_TEXT))
      throw new InputError("--pick", [{ field: "", message: `expected one of ${Object.keys(REASON_TEXT).join(", ")}, got '${pick}'` }]);
    person = followed.find((p) => p.reason === pick) ?? (flags.pick ? undefined : followed[0]);
    if (!person)
      throw new InputError("--pick", [
        { field: "", message: `no followed person in this run was ${REASON_TEXT[pick]}; available: ${[...new Set(followed.map((p) => p.reason))].join(", ")}` },
      ]);
  }
  const rows = history.filter((r) => r.agent === person.agent || person.household.split(" ").map(Number).includes(r.agent));
  const lines = storyLines(person, rows);
  if (flags.json) {
    process.stdout.write(`${JSON.stringify({ person, timeline: lines }, null, 2)}\n`);
    return;
  }
  const out = [
    ...storyHeader(person),
    "",
    ...(lines.length ? lines.map((l) => `day ${String(l.day).padStart(4)}  ${l.text}`) : ["(nothing happened to this person during the run)"]),
  ];
  process.stdout.write(`${out.join("\n")}\n`);
}
