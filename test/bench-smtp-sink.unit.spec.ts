// The bench's SMTP server as a process of its own (bench/support/smtp-sink.ts): it takes
// mail from our own transport, as the services send it, stops cleanly on SIGTERM saying how
// many it accepted, takes its time to accept when told, and refuses a port or delay that is
// not one.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { smtpTransport } from '../runtime/mail/transport.ts';
import { eventually } from './support/env.ts';
import { freePort } from './support/smtp.ts';

const SINK = path.join(import.meta.dirname, '..', 'bench', 'support', 'smtp-sink.ts');

interface Ran {
  readonly child: ChildProcess;
  readonly output: () => string;
  readonly exited: Promise<number | string>;
}

function runSink(port: string, vars: Record<string, string> = {}): Ran {
  const child = spawn(process.execPath, [SINK], { env: { ...process.env, SMTP_SINK_PORT: port, ...vars }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => { output += s; });
  child.stderr!.setEncoding('utf8').on('data', (s: string) => { output += s; });
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  return { child, output: () => output, exited };
}

/** Its exit code (or signal); a sink still running after ms is killed and the test fails. */
async function exitOf(sink: Ran, ms = 15_000): Promise<number | string> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      sink.child.kill('SIGKILL');
      reject(new Error(`the sink was still running after ${ms} ms: ${sink.output()}`));
    }, ms);
  });
  try {
    return await Promise.race([sink.exited, late]);
  } finally {
    clearTimeout(timer);
  }
}

const mail = { from: 'shop@shop.example', to: 'ada@example.com', subject: 'Order confirmed', text: 'Thank you.', html: '<p>Thank you.</p>', messageId: '<sink-test@shop.example>', date: new Date() };

test('accepts what our transport sends, and exits 0 on SIGTERM after saying how many it accepted', async () => {
  const port = await freePort();
  const sink = runSink(String(port));
  const transport = smtpTransport(`smtp://127.0.0.1:${port}`, { maxConnections: 1 });
  try {
    await eventually(async () => sink.output().includes('listening'), `the sink to listen on ${port}`, 30_000);
    for (let i = 0; i < 3; i++) {
      const { response } = await transport.send(mail);
      assert.match(response, /^250 /, `message ${i + 1} accepted`);
    }
  } finally {
    transport.close();
    sink.child.kill('SIGTERM');
  }
  assert.is(await exitOf(sink), 0, sink.output());
  assert.match(sink.output(), '"accepted":3');
});

test('with SMTP_SINK_ACCEPT_DELAY_MS it takes that long to accept each message; a delay that is not one stops it with exit code 2', async () => {
  const port = await freePort();
  const sink = runSink(String(port), { SMTP_SINK_ACCEPT_DELAY_MS: '400' });
  const transport = smtpTransport(`smtp://127.0.0.1:${port}`, { maxConnections: 1 });
  try {
    await eventually(async () => sink.output().includes('listening'), `the sink to listen on ${port}`, 30_000);
    await transport.send(mail); // the connection is open: the next send's time is the acceptance's
    const started = performance.now();
    await transport.send(mail);
    assert.ok(performance.now() - started >= 400, `accepted after ${Math.round(performance.now() - started)} ms`);
  } finally {
    transport.close();
    sink.child.kill('SIGTERM');
  }
  assert.is(await exitOf(sink), 0, sink.output());
  const bad = runSink(String(await freePort()), { SMTP_SINK_ACCEPT_DELAY_MS: 'slow' });
  assert.is(await exitOf(bad), 2, bad.output());
  assert.match(bad.output(), 'SMTP_SINK_ACCEPT_DELAY_MS=slow is not');
});

test('a port that is not one stops it with exit code 2, naming the variable', async () => {
  for (const port of ['', 'smtp', '70000', '0']) {
    const sink = runSink(port);
    assert.is(await exitOf(sink), 2, `SMTP_SINK_PORT=${port}: ${sink.output()}`);
    assert.match(sink.output(), `SMTP_SINK_PORT=${port} is not a port number`);
  }
});

test.run();
