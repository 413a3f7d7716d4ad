// Runs one uvu test file in this process, the way uvu's own CLI does, and reports to
// the runner (tools/run-tests.ts) which test or hook starts, so that a file that hangs
// can be named by the last thing it began. Usage: node tools/run-test-file.ts <file>
import { writeSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Callback } from 'uvu';

const file = process.argv[2];
if (!file) {
  console.error('usage: node tools/run-test-file.ts <test file>');
  process.exit(2);
}

// The runner opens this file descriptor as a side channel (stdout stays the test's own).
// Written synchronously, so the last report is out even if the file then blocks the loop.
const reportFd = process.env.TEST_REPORT_FD ? Number(process.env.TEST_REPORT_FD) : undefined;
const report = (event: Record<string, unknown>) => {
  if (reportFd !== undefined) writeSync(reportFd, `${JSON.stringify(event)}\n`);
};

// uvu queues suites instead of running them on its own when UVU_DEFER is set before
// it loads (what uvu/run does for its CLI); exec() then runs the queue.
const uvuGlobals = globalThis as typeof globalThis & { UVU_DEFER?: number; UVU_INDEX?: number; UVU_QUEUE?: unknown[][] };
uvuGlobals.UVU_DEFER = 1;
uvuGlobals.UVU_INDEX = 0;
const uvu = await import('uvu');
uvuGlobals.UVU_QUEUE!.push([relative(process.cwd(), file)]);

// uvu swallows an error thrown by a before hook (its runner returns from a finally
// block) and prints only "(0 / N)": the file's before hooks are wrapped to print it.
const before = uvu.test.before;
uvu.test.before = Object.assign((hook: Callback) => before(async (state) => {
  try {
    await hook(state);
  } catch (err) {
    console.error(`a before hook of ${file} failed, so none of its tests ran:`, err);
    throw err;
  }
}), { each: before.each });

// Registered before the file's own hooks, so these run first: uvu sets state.__test__
// to the test's name before its before.each hooks.
before(() => report({ started: '(before hook)' }));
uvu.test.before.each((state) => report({ started: String((state as { __test__?: string }).__test__ ?? '') }));
uvu.test.after(() => report({ started: '(after hook)' }));

report({ started: '(loading the file)' });
await import(pathToFileURL(resolve(file)).href);
await uvu.exec();
report({ finished: true });
