/** One thing wrong with a scenario, located in its file. */
export interface Problem {
  /** Dotted field path, e.g. `behaviours.dissent.base`. */
  field: string;
  message: string;
  line?: number;
  column?: number;
}

/** Thrown for anything a user can fix in their input; the CLI exits 2 on it. */
export class InputError extends Error {
  readonly file: string;
  readonly problems: Problem[];
  constructor(file: string, problems: Problem[]) {
    super(formatProblems(file, problems));
    this.name = "InputError";
    this.file = file;
    this.problems = problems;
  }
}

export function formatProblems(file: string, problems: Problem[]): string {
  return problems
    .map((p) => {
      const at = p.line ? `${file}:${p.line}:${p.column ?? 1}` : file;
      return p.field ? `${at}: ${p.field}: ${p.message}` : `${at}: ${p.message}`;
    })
    .join("\n");
}

/** Levenshtein distance, for did-you-mean suggestions. */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}

/** The closest known name, if it is close enough to be a likely typo. */
export function didYouMean(word: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const k of known) {
    const d = editDistance(word.toLowerCase(), k.toLowerCase());
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

export function unknownName(kind: string, word: string, known: readonly string[]): string {
  const guess = didYouMean(word, known);
  const list = known.length ? `; defined: ${known.join(", ")}` : `; none is defined`;
  return `unknown ${kind} '${word}'${guess ? ` (did you mean '${guess}'?)` : ""}${list}`;
}

/** Runs `f`; its input errors about `file` that carry no line are placed at `at` (the field that named what failed). */
export function locatedAt<T>(file: string, at: { line: number; column: number } | undefined, f: () => T): T {
  try {
    return f();
  } catch (error) {
    if (!(error instanceof InputError) || error.file !== file) throw error;
    throw new InputError(
      file,
      error.problems.map((p) => (p.line ? p : { ...p, ...at })),
    );
  }
}
