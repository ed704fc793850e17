import { Command, CommanderError } from "commander";
import { InputError } from "../scenario/errors.js";
import { removeEmptyMadeDirs } from "../store/make-dirs.js";
import { interruptWrite, WriteInterrupted } from "../store/runfolder.js";
import { credsimVersion } from "../store/version.js";
import { compareCommand } from "./compare.js";
import { followCommand } from "./follow.js";
import { DEFAULT_LAB_PORT, labCommand } from "./lab.js";
import { presetsCommand } from "./presets.js";
import { reportCommand } from "./report.js";
import { stopWithParent } from "./rerun.js";
import { runCommand } from "./run.js";
import { schemaCommand } from "./schema.js";
import { mergeCommand, sweepCommand } from "./sweep.js";
import { validateCommand } from "./validate.js";

// A thin CLI over the library: parse flags, call the layers, turn errors into
// exit codes. Input errors exit 2 with the library's message; anything else is a
// bug and exits 1. Stack traces only with --verbose.

const verbose = process.argv.includes("--verbose");

function fail(error: unknown): never {
  removeEmptyMadeDirs();
  if (error instanceof WriteInterrupted) process.exit(error.exitCode); // the signal handler said so
  if (error instanceof InputError) {
    process.stderr.write(`credsim: ${error.message}\n`);
    if (verbose && error.stack) process.stderr.write(`${error.stack}\n`);
    process.exit(2);
  }
  if (error instanceof CommanderError) process.exit(error.exitCode === 1 ? 2 : error.exitCode);
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`credsim: internal error: ${message}\n`);
  if (verbose && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  else process.stderr.write("(run again with --verbose for details)\n");
  process.exit(1);
}

const program = new Command()
  .name("credsim")
  .description("Simulate social credit systems on synthetic populations and measure what they do to people.")
  .version(credsimVersion)
  .option("--verbose", "show stack traces and details on errors")
  .showHelpAfterError("(credsim --help lists the commands; credsim COMMAND --help, a command's options)")
  .exitOverride();

program
  .command("run")
  .description("simulate a scenario (file or preset); print a summary; write the run folder")
  .argument("[scenario]", "a scenario YAML file or a preset name (default: fused-city)")
  .option("--agents <n>", "population size (overrides the scenario)")
  .option("--days <n>", "days to simulate (overrides the scenario)")
  .option("--seed <n>", "random seed (overrides the scenario)")
  .option("--out <dir>", "run folder (default: runs/<scenario name>)")
  .option("--threads <n>", "worker threads (results are identical for any number)")
  .option("--quiet", "print nothing but errors (with --json, the JSON alone)")
  .option("--json", "print summary.json instead of the table")
  .option("--no-report", "do not write report.html")
  .option("--track <n>", "follow this many people in full (credsim follow); 0 to turn off", "100")
  .option("--regions <spec>", "split the population into regions run as separate processes (a region set: file or built-in name, e.g. china-31)")
  .option("--workers <n>", "with --regions: processes to run regions on (default 2)")
  .option("--shard <i/N>", "with --regions: run only shard i of N (then credsim merge)")
  .action((scenario, flags) => runCommand(scenario, flags));

program
  .command("compare")
  .description("compare runs or scenarios side by side, with uncertainty across replicates")
  .argument("<items...>", "run folders, scenario files or preset names (two or more)")
  .option("--replicates <n>", "replicates per scenario (seeds seed, seed+1, ... shared by all)", "5")
  .option("--agents <n>", "population size for the scenarios")
  .option("--days <n>", "days for the scenarios")
  .option("--seed <n>", "first seed for the scenarios")
  .option("--out <dir>", "folder for compare.html and compare.json")
  .option("--json", "print the rows as JSON")
  .option("--quiet", "print nothing but errors (with --json, the JSON alone)")
  .action((items, flags) => compareCommand(items, flags));

program
  .command("follow")
  .description("the story of one synthetic person in a run")
  .argument("<run>", "a run folder")
  .option("--agent <id>", "a followed person's id")
  .option("--pick <kind>", "wrongful | spillover | appealed | false-record | random (default: wrongful)")
  .option("--json", "print the timeline as JSON")
  .action((run, flags) => followCommand(run, flags));

program
  .command("sweep")
  .description("run a parameter sweep with replicates; resumable; --shard for clusters")
  .argument("<sweep>", "a sweep YAML file")
  .option("--workers <n>", "worker processes", "1")
  .option("--out <dir>", "output folder (default: sweeps/<name>)")
  .option("--shard <i/N>", "run only shard i of N (then credsim merge)")
  .option("--retry-failed", "run again the runs recorded as failed")
  .option("--quiet", "print nothing")
  .action((file, flags) => sweepCommand(file, flags));

program
  .command("merge")
  .description("join sweep shards into one database, or region shards into one run folder")
  .argument("<dirs...>", "shard output folders")
  .option("--out <dir>", "merged output folder", "merged")
  .option("--partial", "merge even if some shards are missing")
  .option("--quiet", "print nothing")
  .action((dirs, flags) => mergeCommand(dirs, flags));

program
  .command("report")
  .description("write report.html (and PNG charts) for a run folder")
  .argument("<run>", "a run folder written by `credsim run`")
  .option("--png <dir>", "also write each chart as a PNG into this folder")
  .option("--quiet", "print nothing")
  .action((run, flags) => reportCommand(run, flags));

program
  .command("lab")
  .description("serve the in-browser lab on localhost (builds it first if needed)")
  .option("--port <n>", "port to listen on (0: any free port)", String(DEFAULT_LAB_PORT))
  .option("--no-build", "serve the existing build even if the sources are newer")
  .option("--quiet", "print only the address")
  .action((flags) => labCommand(flags));

program
  .command("validate")
  .description("check scenario, sweep or region files; print every problem with its line")
  .argument("<files...>", "scenario YAML files or preset names, sweep files, region sets")
  .action((scenarios) => validateCommand(scenarios));

program
  .command("schema")
  .description("print the JSON Schema of scenario files (for editor autocompletion)")
  .action(() => schemaCommand());

program
  .command("presets")
  .description("list the built-in systems")
  .action(() => presetsCommand());

/** An option given twice would silently keep its last value: refuse it (every credsim option is given once). */
function refuseRepeatedOptions(args: string[]): void {
  const seen = new Map<string, string>();
  for (let k = 0; k < args.length; k++) {
    const a = args[k];
    if (a === "--") break;
    if (!a.startsWith("--")) continue;
    const name = a.split("=")[0];
    const value = a.includes("=") ? a.slice(name.length + 1) : args[k + 1] !== undefined && !args[k + 1].startsWith("--") ? args[k + 1] : "";
    if (seen.has(name)) {
      const values = [seen.get(name), value].filter((v) => v !== "").map((v) => `'${v}'`);
      throw new InputError(name, [{ field: "", message: `given twice${values.length === 2 ? ` (${values.join(" and ")})` : ""}; give it once` }]);
    }
    seen.set(name, value);
  }
}

const SIGNAL_EXIT = { SIGINT: 130, SIGTERM: 143 } as const;
for (const signal of Object.keys(SIGNAL_EXIT) as (keyof typeof SIGNAL_EXIT)[]) {
  process.on(signal, () => {
    const code = SIGNAL_EXIT[signal];
    const exit = () => {
      removeEmptyMadeDirs();
      process.exit(code);
    };
    process.stderr.write(`\ncredsim: interrupted; no results were written\n`);
    // a run folder being written stops at its next step and removes itself first
    const writing = interruptWrite(code);
    if (!writing) exit();
    writing?.then(exit, exit);
    setTimeout(exit, 5000).unref();
  });
}

// output piped into a reader that stops early (| head): end quietly, as other tools do
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(0);
  throw error;
});
// messages whose reader went away are dropped; the run itself goes on
process.stderr.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code !== "EPIPE") throw error;
});

stopWithParent();

try {
  refuseRepeatedOptions(process.argv.slice(2));
  await program.parseAsync(process.argv);
} catch (error) {
  fail(error);
}
