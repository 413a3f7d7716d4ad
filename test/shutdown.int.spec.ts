// test-time-limit: 120s
// A shutdown ends whatever became of stdout. runtime/main.ts, its stdout a pipe whose
// reader has gone (a killed `| tee`, a restarted log shipper), exits within seconds of
// SIGTERM, and at once on a second signal, instead of retrying its last log lines for ever
// (EPIPE); a process logging as it does, whose stdout's reader stopped reading (a full
// pipe), keeps at most 16 MB of unwritten lines and exits within seconds too. Each child is
// SIGKILLed if it is still there at the end.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { createTestEnv, eventually, sql, type TestEnv } from './support/env.ts';
import { publishRaw } from './support/amqp.ts';
import { example, rawEvent } from './support/builders.ts';

const ROOT = path.join(import.meta.dirname, '..');
/** What "within seconds" allows: flushLogs() gives up after 2 s, the rest is the stop itself on a busy machine. */
const EXIT_WITHIN_MS = 8000;

let env: TestEnv;

test.before(async () => {
  env = await createTestEnv('shutdown');
});
test.after(async () => {
  await env?.cleanup();
});

type Child = ChildProcessByStdio<null, Readable, Readable> & { stderrText(): string };

/** A Node child with stdout and stderr as pipes; nothing reads its stdout until asked to. */
function spawnNode(args: string[], settings: Record<string, string>): Child {
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, ...settings },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (text: string) => {
    stderr += text;
  });
  return Object.assign(child, { stderrText: () => stderr });
}

/** runtime/main.ts running the payment service against this file's vhost and database. */
function startMain(settings: Record<string, string> = {}): Child {
  return spawnNode([path.join(ROOT, 'runtime', 'main.ts')], {
    AMQP_URL: env.amqpUrl, DATABASE_URL: env.databaseUrl, SERVICE: 'payment', LOG_LEVEL: 'info', ...settings,
  });
}

/** Reads the child's stdout until `pattern` shows up (it must within 60 s). */
async function readStdoutUntil(child: Child, pattern: RegExp): Promise<void> {
  let seen = '';
  const onData = (text: string) => {
    seen += text;
  };
  child.stdout.setEncoding('utf8').on('data', onData);
  try {
    await eventually(async () => {
      if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode} before printing ${pattern}: ${child.stderrText()}`);
      return pattern.test(seen);
    }, `${pattern} on stdout`, 60_000, 20);
  } finally {
    child.stdout.off('data', onData);
  }
}

/** The child's exit code once it exits, or a failure naming how long it has been hanging. */
function exitCodeWithin(child: Child, ms: number, what: string): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what}: still running ${ms} ms later; its stderr: ${child.stderrText()}`)), ms);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

function ensureGone(child: Child): void {
  child.kill('SIGKILL');
  child.stdout.destroy();
}

test('the system exits 0 within seconds of SIGTERM when its stdout\'s reader has gone', async () => {
  const main = startMain();
  try {
    // The start's log lines come out with the periodic flush, after the ready banner. The
    // next periodic flush, a second away, would meet the broken pipe by itself (pino then
    // drops every line): cut the pipe and signal at once, as for a process that was quiet.
    await readStdoutUntil(main, /"msg":"started"/);
    main.stdout.destroy();
    main.kill('SIGTERM');
    assert.is(await exitCodeWithin(main, EXIT_WITHIN_MS, 'after SIGTERM'), 0, main.stderrText());
    assert.match(main.stderrText(), /stdout's reader has gone \(EPIPE\)/);
  } finally {
    ensureGone(main);
  }
});

test('a second signal exits at once when stdout\'s reader has gone, while the first waits for a payment', async () => {
  const main = startMain({ PAYMENT_LATENCY_MS: '20000', SHUTDOWN_TIMEOUT_MS: '30000' });
  try {
    await readStdoutUntil(main, /"msg":"started"/);
    const order = example('OrderPersisted');
    await publishRaw(env.amqpUrl, [rawEvent('OrderPersisted', order)]);
    // the attempt is recorded just before the call: from here the delivery waits on its 20 s gateway
    await eventually(async () => (await sql(env.databaseUrl, 'select 1 from payment.attempts where order_id = $1', [order.orderId])).length === 1, 'the charge under way');
    main.stdout.destroy();
    main.kill('SIGTERM');
    // short, so that the periodic flush rarely comes between and notices the broken pipe by itself
    await new Promise((r) => setTimeout(r, 100));
    assert.is(main.exitCode, null, 'the first signal waits for the payment in flight');
    main.kill('SIGTERM');
    // the second signal waits a quarter of a second for the log lines
    assert.is(await exitCodeWithin(main, EXIT_WITHIN_MS, 'after the second SIGTERM'), 1, main.stderrText());
    assert.match(main.stderrText(), /second signal \(SIGTERM\): exiting now/);
  } finally {
    ensureGone(main);
  }
});

test('a process logging as the system does, its stdout\'s reader no longer reading, keeps 16 MB of lines and exits within seconds of SIGTERM', async () => {
  // The system logs too little to fill a pipe on its own: this child logs about 20 MB as
  // main.ts would, 1000 lines a turn of the event loop (so that writes go on meanwhile),
  // and on SIGTERM does what main.ts does after its stop.
  const script = `
    import { setImmediate as nextTurn } from 'node:timers/promises';
    import { createLogger, flushLogs } from ${JSON.stringify(path.join(ROOT, 'runtime', 'logger.ts'))};
    const log = createLogger({ logLevel: 'info' }, { app: 'order-pipeline' });
    process.on('SIGTERM', async () => {
      log.info('stopped');
      await flushLogs();
      process.exit(0);
    });
    for (let turn = 0; turn < 100; turn += 1) {
      for (let i = 0; i < 1000; i += 1) log.info({ i, orderId: '${'0'.repeat(36)}', padding: '${'x'.repeat(100)}' }, 'handled');
      await nextTurn();
    }
    process.stderr.write('logged\\n');
    setInterval(() => undefined, 1000);`;
  // nobody reads its stdout: past the pipe's buffer (a few hundred KB) every write meets a full pipe
  const child = spawnNode(['--input-type=module', '-e', script], {});
  try {
    await eventually(async () => child.stderrText().includes('logged\n'), 'the child done logging', 30_000, 20);
    child.kill('SIGTERM');
    assert.is(await exitCodeWithin(child, EXIT_WITHIN_MS, 'after SIGTERM'), 0, child.stderrText());
    assert.is(child.stderrText().split('further lines are dropped').length - 1, 1, `said once that lines beyond 16 MB are dropped: ${child.stderrText()}`);
    assert.match(child.stderrText(), /stdout's reader has taken nothing|did not take the last log lines/);
  } finally {
    ensureGone(child);
  }
});

test.run();
