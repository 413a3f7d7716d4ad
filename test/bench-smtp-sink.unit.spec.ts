// The bench's SMTP server as a process of its own (bench/support/smtp-sink.ts): it takes
// mail from our own transport, as the services send it, stops cleanly on SIGTERM, and
// refuses a port that is not one.
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

function runSink(port: string): Ran {
  const child = spawn(process.execPath, [SINK], { env: { ...process.env, SMTP_SINK_PORT: port }, stdio: ['ignore', 'pipe', 'pipe'] });
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

test('accepts what our transport sends, and exits 0 on SIGTERM', async () => {
  const port = await freePort();
  const sink = runSink(String(port));
  const transport = smtpTransport(`smtp://127.0.0.1:${port}`, { maxConnections: 1 });
  try {
    await eventually(async () => sink.output().includes('listening'), `the sink to listen on ${port}`, 30_000);
    const mail = { from: 'shop@shop.example', to: 'ada@example.com', subject: 'Order confirmed', text: 'Thank you.', html: '<p>Thank you.</p>', messageId: '<sink-test@shop.example>', date: new Date() };
    for (let i = 0; i < 3; i++) {
      const { response } = await transport.send(mail);
      assert.match(response, /^250 /, `message ${i + 1} accepted`);
    }
  } finally {
    transport.close();
    sink.child.kill('SIGTERM');
  }
  assert.is(await exitOf(sink), 0, sink.output());
});

test('a port that is not one stops it with exit code 2, naming the variable', async () => {
  for (const port of ['', 'smtp', '70000', '0']) {
    const sink = runSink(port);
    assert.is(await exitOf(sink), 2, `SMTP_SINK_PORT=${port}: ${sink.output()}`);
    assert.match(sink.output(), `SMTP_SINK_PORT=${port} is not a port number`);
  }
});

test.run();
