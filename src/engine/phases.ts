// Where the calendar engine's time goes, phase by phase (docs/performance.md,
// "Where fused-city's time goes"). A profiler attributes samples to functions,
// and the read-ahead loops and inlined helpers blur which step of the day they
// serve; a clock read at each phase boundary does not (a dozen reads a day,
// nothing per agent).

/** The phases of a calendar-engine run, in the order they run; indexes of PhaseTimes. */
export const PHASES = [
  "population and network",
  "records and first wakes",
  "wakes due (calendar, sort)",
  "expiry, insiders, behaviour (steps 1-6)",
  "misattributed records",
  "score and listing (steps 7-8, most next wakes)",
  "contacts of the newly listed",
  "fear",
  "tie cuts",
  "appeals, cures, disfavoured pool",
  "observe (step 11)",
  "remaining next wakes",
  "end of run (open spells, tie moments)",
] as const;

export const Phase = {
  network: 0,
  records: 1,
  wakes: 2,
  behaviour: 3,
  messages: 4,
  score: 5,
  contacts: 6,
  fear: 7,
  cuts: 8,
  appeals: 9,
  observe: 10,
  nextWakes: 11,
  end: 12,
} as const;

/** Milliseconds spent in each of PHASES, added up over a run. */
export class PhaseClock {
  readonly ms = new Float64Array(PHASES.length);
  private mark = performance.now();

  /** Starts timing from now (what came before is not counted). */
  start(): void {
    this.mark = performance.now();
  }

  /** Adds the time since the last lap (or start) to `phase`. */
  lap(phase: number): void {
    const now = performance.now();
    this.ms[phase] += now - this.mark;
    this.mark = now;
  }
}
