// Node-only: large simulations run faster on 2 MiB pages. The calendar engine
// reads each day's agents scattered across gigabytes of records and network;
// with 4 KiB pages nearly every one of those reads also misses the TLB.
// Debian's default ("madvise" transparent huge pages) gives huge pages only to
// memory that asks for them, and Node's array buffers do not ask. glibc (2.35
// and later) asks on their behalf when GLIBC_TUNABLES has glibc.malloc.hugetlb=1,
// read once at process start, so the setting must be in the environment of a
// new process. Elsewhere (musl, macOS, older glibc) the variable is ignored.
// Outputs do not depend on it; docs/performance.md (decision 9) has the measured gain.

const TUNABLE = "glibc.malloc.hugetlb";

/** Estimated bytes from which a run is started in a process of its own with huge pages. */
export const HUGE_PAGES_FROM = 1024 ** 3;

/** The tunable's value in `env` (by us or by the user), or undefined when it is not set. */
export function hugePageTunable(env: NodeJS.ProcessEnv = process.env): string | undefined {
  // glibc takes the last setting of a tunable
  const last = (env.GLIBC_TUNABLES ?? "")
    .split(":")
    .filter((t) => t.startsWith(`${TUNABLE}=`))
    .at(-1);
  return last?.slice(TUNABLE.length + 1);
}

/** `env` with the huge-page tunable added, unless it already has a value for it (the user's choice stands). */
export function withHugePages(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  if (hugePageTunable(env) !== undefined) return env;
  return { ...env, GLIBC_TUNABLES: env.GLIBC_TUNABLES ? `${env.GLIBC_TUNABLES}:${TUNABLE}=1` : `${TUNABLE}=1` };
}
