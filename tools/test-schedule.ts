// The order in which tools/run-tests.ts starts test files that run side by side: the
// longest expected first, so that the lanes finish at about the same time instead of one
// lane starting a slow file when the other has nothing left; and never two files that
// name the same lock at once (files that share something a vhost and a database of their
// own cannot separate, e.g. the generator's templates/__transpiled); and which files may
// not run beside any other (`// test-alone: why`: they restart the machine's servers).

export interface PlannedFile {
  readonly file: string;
  /** How long the file took when last measured (tools/test-durations.json), or a guess by tier. */
  readonly expectedMs: number;
  /** Names from the file's `// test-lock: a, b` line; files naming the same one never overlap. */
  readonly locks: readonly string[];
}

/** Longest expected first; equal ones by name, so the order is the same every run. */
export function longestFirst<T extends PlannedFile>(files: readonly T[]): T[] {
  return [...files].sort((a, b) => b.expectedMs - a.expectedMs || a.file.localeCompare(b.file));
}

/** The first waiting file that shares no lock with a running one; undefined when every one must wait. */
export function nextStartable<T extends PlannedFile>(waiting: readonly T[], running: Iterable<PlannedFile>): T | undefined {
  const held = new Set([...running].flatMap((r) => r.locks));
  return waiting.find((w) => w.locks.every((lock) => !held.has(lock)));
}

/** The names of `// test-lock: a, b (why)` lines in a file's first lines (none: no lock). */
export function locksOf(head: string): string[] {
  return [...head.matchAll(/test-lock:[ \t]*([\w-]+(?:[ \t]*,[ \t]*[\w-]+)*)/g)].flatMap((m) => m[1].split(',').map((s) => s.trim()));
}

/** Why the file must run with no other file beside it (`// test-alone: why` in its first lines), or undefined. */
export function aloneBecause(head: string): string | undefined {
  return /test-alone:[ \t]*(\S[^\n]*)/.exec(head)?.[1].trim();
}
