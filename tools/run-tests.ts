// Runs every test/**/*.spec.ts, each in its own process with a time limit: a file that
// hangs is killed (its whole process group), named with the last test it started, counted
// as failed, and the rest still runs. Prints each file's result and duration when it ends,
// the full output of every failing file as one block, and closes with the plain line
// "N passed, N failed, N skipped"; exits non-zero on any failure or when no test ran.
//
// Usage: npm test [-- unit|int|e2e|fault ...] [-- --full] [-- --record-durations] [-- <file name regex>]
//   tiers come from file names (x.unit.spec.ts ...);
//   the files run side by side, TEST_CONCURRENCY (default 2) at a time:
//   each has a vhost and a database of its own (test/support/env.ts) and takes ports from
//   the system. The longest start first (tools/test-durations.json: seconds per file as
//   last measured; a file not listed counts as a typical one of its tier), so the lanes end
//   together. Files that share something else name it in their first lines,
//   `// test-lock: templates-transpile`, and never overlap;
//   a file that restarts the machine's PostgreSQL or RabbitMQ says so in its first lines,
//   `// test-alone: why`, and runs after all the others, one at a time (the other fault
//   files break only what is their own, and run side by side like the rest);
//   --full sets FAULT_SUITE=full (the fault files' long form);
//   --record-durations rewrites tools/test-durations.json with this run's times, when every file passed;
//   TEST_FILE_TIMEOUT_MS (default 180000) limits each file; a file may ask for more
//   with a comment in its first lines: `// test-time-limit: 420s`.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { servicesAnswer, sweepStaleTestEnvs } from '../test/support/env.ts';
import { aloneBecause, locksOf, longestFirst, nextStartable, type PlannedFile } from './test-schedule.ts';

const [major] = process.versions.node.split('.').map(Number);
if (major < 24) {
  console.error(`Node ${process.versions.node} is too old: run through npm (node_modules/.bin/node is Node 24).`);
  process.exit(2);
}

const TIERS = ['unit', 'int', 'e2e', 'fault'];
const defaultLimitMs = Number(process.env.TEST_FILE_TIMEOUT_MS ?? 180_000);
if (!(defaultLimitMs > 0)) {
  console.error(`TEST_FILE_TIMEOUT_MS must be a positive number of milliseconds, not ${process.env.TEST_FILE_TIMEOUT_MS}`);
  process.exit(2);
}
const concurrency = Number(process.env.TEST_CONCURRENCY ?? 2);
if (!Number.isInteger(concurrency) || concurrency < 1) {
  console.error(`TEST_CONCURRENCY must be a whole number of test files at a time (1 or more), not ${process.env.TEST_CONCURRENCY}`);
  process.exit(2);
}

const FLAGS = ['--full', '--record-durations'];
const args = process.argv.slice(2);
const full = args.includes('--full');
const recordDurations = args.includes('--record-durations');
const tiers = args.filter((a) => TIERS.includes(a));
const patterns = args.filter((a) => !FLAGS.includes(a) && !TIERS.includes(a)).map((a) => new RegExp(a));

const tierOf = (file: string) => /\.([a-z0-9]+)\.spec\.ts$/.exec(file)?.[1] ?? '';
const rank = (file: string) => {
  const i = TIERS.indexOf(tierOf(file));
  return i === -1 ? TIERS.indexOf('fault') - 0.5 : i; // an unknown tier runs just before the fault files
};

function specFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : specFiles(path);
    return e.name.endsWith('.spec.ts') ? [path] : [];
  });
}

const files = [...specFiles('test'), ...specFiles('templates/test')]
  .filter((f) => tiers.length === 0 || tiers.includes(tierOf(f)))
  .filter((f) => patterns.every((p) => p.test(f)))
  .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));

const headOf = (file: string) => readFileSync(file, 'utf8').split('\n').slice(0, 15).join('\n');

/** The file's own limit (`// test-time-limit: 420s`, also `ms` or `min`) in its first lines, else the default. */
function limitOf(file: string): number {
  const m = /test-time-limit:\s*(\d+(?:\.\d+)?)\s*(ms|s|min)\b/.exec(headOf(file));
  if (!m) return defaultLimitMs;
  return Number(m[1]) * { ms: 1, s: 1000, min: 60_000 }[m[2] as 'ms' | 's' | 'min'];
}

interface FileResult { passed: number; failed: number; skipped: number; problem?: string; output: string }

const DURATIONS = 'tools/test-durations.json';
/** Seconds a file took when last recorded; only the order of the files depends on it. */
const recorded: Record<string, number> = JSON.parse(readFileSync(DURATIONS, 'utf8'));
/** A file not recorded yet (a new one) counts as a typical one of its tier. */
const TYPICAL_SECONDS: Record<string, number> = { unit: 3, int: 20, e2e: 60, fault: 60 };
const plan = (file: string): PlannedFile => ({
  file,
  expectedMs: (recorded[file] ?? TYPICAL_SECONDS[tierOf(file)] ?? 20) * 1000,
  locks: locksOf(headOf(file)),
});

/** Every test file process running now: a signal to the runner ends them all. */
const running = new Set<ChildProcess>();
const killGroup = (pid: number | undefined) => {
  if (!pid) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
};
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    for (const child of running) killGroup(child.pid);
    process.exit(130);
  });
}

function runFile(file: string, limitMs: number): Promise<FileResult> {
  return new Promise((done) => {
    // detached: the child leads its own process group, so a timeout ends whatever it started too
    const child = spawn(process.execPath, ['tools/run-test-file.ts', file], {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
      env: { ...process.env, FORCE_COLOR: '0', TEST_REPORT_FD: '3', ...(full ? { FAULT_SUITE: 'full' } : {}) },
    });
    running.add(child);
    let output = '';
    let lastStarted = '(not started)';
    let finished = false;
    let timedOut = false;
    child.stdout!.setEncoding('utf8').on('data', (s: string) => { output += s; });
    child.stderr!.setEncoding('utf8').on('data', (s: string) => { output += s; });
    let reports = '';
    (child.stdio[3] as NodeJS.ReadableStream).setEncoding('utf8');
    (child.stdio[3] as NodeJS.ReadableStream).on('data', (s: string) => {
      reports += s;
      const lines = reports.split('\n');
      reports = lines.pop()!;
      for (const line of lines) {
        const event = JSON.parse(line) as { started?: string; finished?: boolean };
        if (event.started !== undefined) lastStarted = event.started;
        if (event.finished) finished = true;
      }
    });
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid);
    }, limitMs);
    child.on('error', (err) => output += `\ncould not start: ${err.message}\n`);
    // 'close' waits for the pipes, which a process that escaped the group could hold open
    child.on('exit', (code, signal) => setTimeout(() => settle(code, signal), 2000).unref());
    child.on('close', (code, signal) => settle(code, signal));
    let settled = false;
    const settle = (code: number | null, signal: NodeJS.Signals | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      running.delete(child);
      const count = (label: string) => Number([...output.matchAll(new RegExp(`^\\s*${label}:\\s+(\\d+)`, 'gm'))].at(-1)?.[1] ?? NaN);
      const [total, passed, skipped] = [count('Total'), count('Passed'), count('Skipped')];
      const summary = !Number.isNaN(total) && !Number.isNaN(passed);
      if (timedOut) {
        const where = finished ? 'after its last test (something it opened keeps the process alive)' : `in test "${lastStarted}"`;
        // what uvu printed so far: • per passed test, ✘ per failed one
        const marks = (mark: string) => (output.match(new RegExp(`${mark} `, 'g')) ?? []).length;
        done({ passed: marks('•'), failed: marks('✘') + 1, skipped: 0, output, problem: `timed out after ${Math.round(limitMs / 1000)} s ${where}` });
      } else if (!summary || code !== 0) {
        const how = signal ? `ended by ${signal}` : `exited with code ${code}`;
        const failed = summary ? Math.max(total - passed - (skipped || 0), 1) : 1;
        done({ passed: summary ? passed : 0, failed, skipped: skipped || 0, output, problem: summary ? undefined : `${how} without its summary (last test started: "${lastStarted}")` });
      } else {
        done({ passed, failed: total - passed - (skipped || 0), skipped: skipped || 0, output });
      }
    };
  });
}

const totals = { passed: 0, failed: 0, skipped: 0 };
const failedFiles: string[] = [];
if (full) console.log('FAULT_SUITE=full: the fault files run their full form');
// What a file killed at its time limit left behind in an earlier run (its vhost and database).
const swept = await sweepStaleTestEnvs(60 * 60_000).catch((err: Error) => {
  console.error(`could not sweep stale test vhosts and databases: ${err.message}`);
  return [];
});
if (swept.length) console.log(`removed ${swept.length} test environment(s) older than an hour: ${swept.join(', ')}`);
/**
 * Fault files restart PostgreSQL and RabbitMQ and restore them in a `finally`; one that dies
 * mid-restart cannot. Before each fault file and after any failed file, bring them back
 * (tools/ensure-services.sh) and wait until they answer, so one crash stays one failure.
 * It starts only a service that is down, so files still running beside a failed one are
 * not disturbed; it runs as a child process, not spawnSync, so their output and time
 * limits keep being served meanwhile.
 */
async function servicesBack(): Promise<void> {
  // Its output goes straight to ours (a few lines, only when a service was down): a pipe
  // would stay open as long as a server it started in the background runs.
  await new Promise<void>((resolve) => {
    const child = spawn('tools/ensure-services.sh', [], { stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', (err) => { console.error(`tools/ensure-services.sh could not start: ${err.message}`); resolve(); });
    child.on('exit', (code, signal) => {
      if (code !== 0) console.error(`tools/ensure-services.sh exited with ${code ?? signal}`);
      resolve();
    });
  });
  await servicesAnswer().catch((err: Error) => console.error(err.message));
}

async function runAndReport(file: string): Promise<boolean> {
  const started = Date.now();
  const r = await runFile(file, limitOf(file));
  const ms = Date.now() - started;
  const seconds = `${(ms / 1000).toFixed(1)}s`.padStart(7);
  totals.passed += r.passed;
  totals.failed += r.failed;
  totals.skipped += r.skipped;
  durations[file] = Math.round(ms / 100) / 10;
  const failed = r.failed > 0 || r.problem !== undefined;
  if (failed) {
    failedFiles.push(file);
    console.log(`\n----- output of ${file} -----\n${r.output.trimEnd()}\n----- end of ${file} -----`);
    console.log(`✘ ${file} ${r.problem ?? `${r.failed} failed, ${r.passed} passed`}  (${seconds.trim()})`);
  } else {
    console.log(`${seconds}  ${r.passed} passed${r.skipped ? `, ${r.skipped} skipped` : ''}  ${file}`);
  }
  return failed;
}

/** The unit, int and e2e files, `concurrency` at a time, the longest first, none two that share a lock. */
async function runSideBySide(planned: readonly PlannedFile[]): Promise<void> {
  const waiting = longestFirst(planned);
  const inFlight = new Map<PlannedFile, Promise<void>>();
  // After a failed file the services are brought back once; files starting meanwhile wait for it.
  let servicesChecked: Promise<void> = Promise.resolve();
  const start = (p: PlannedFile) => inFlight.set(p, (async () => {
    await servicesChecked;
    if (await runAndReport(p.file)) servicesChecked = servicesBack();
  })().finally(() => inFlight.delete(p)));
  while (waiting.length > 0 || inFlight.size > 0) {
    for (let next = nextStartable(waiting, inFlight.keys()); next && inFlight.size < concurrency; next = nextStartable(waiting, inFlight.keys())) {
      waiting.splice(waiting.indexOf(next), 1);
      start(next);
    }
    await Promise.race(inFlight.values());
  }
  await servicesChecked;
}

const aloneFiles = files.filter((f) => aloneBecause(headOf(f)) !== undefined);
const sideBySide = files.filter((f) => !aloneFiles.includes(f));
const durations: Record<string, number> = {};
if (sideBySide.length > 1 && concurrency > 1) console.log(`${sideBySide.length} files, ${concurrency} at a time${aloneFiles.length ? `; then ${aloneFiles.length} file(s) that restart the machine's servers, one at a time` : ''}`);
await runSideBySide(sideBySide.map(plan));
for (const file of aloneFiles) {
  await servicesBack();
  await runAndReport(file);
}

if (failedFiles.length) console.log(`\nfailed: ${failedFiles.join(', ')}`);
if (files.length === 0 || totals.passed + totals.failed === 0) console.error('no test ran');
if (recordDurations && failedFiles.length === 0 && files.length > 0) {
  const merged = { ...recorded, ...durations };
  const sorted = Object.fromEntries(Object.keys(merged).sort().map((f) => [f, merged[f]]));
  writeFileSync(DURATIONS, `${JSON.stringify(sorted, null, 2)}\n`);
  console.log(`${DURATIONS}: the times of ${Object.keys(durations).length} file(s) recorded`);
}
console.log(`${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(totals.failed > 0 || failedFiles.length > 0 || totals.passed + totals.failed === 0 ? 1 : 0);
