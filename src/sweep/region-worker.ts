import { countersArrays } from "../engine/counters.js";
import { compileModel } from "../engine/model.js";
import { simulate } from "../engine/run.js";
import type { Scenario } from "../scenario/schema.js";

// A region worker process: receives one region's scenario at a time, runs it on
// this process's thread and sends back its counters.

process.on("message", (msg: { scenario: Scenario }) => {
  try {
    const counters = simulate(compileModel(msg.scenario));
    process.send?.({ arrays: countersArrays(counters) });
  } catch (error) {
    process.send?.({ error: error instanceof Error ? error.message : String(error) });
  }
});

process.on("disconnect", () => process.exit(0));
