// Logs a person can read and a machine can parse, in a child process of its own: JSON
// lines when stdout is not a terminal (the embedded mail catcher's own banner included,
// routed through the logger), pretty lines when LOG_FORMAT=pretty asks for them.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const ROOT = path.join(import.meta.dirname, '..');

/** Runs a module body in a child Node with the given environment; its stdout, stderr and status. */
function run(body: string, env: Record<string, string>): { stdout: string; stderr: string; status: number | null } {
  const script = `
    import { loadConfig } from ${JSON.stringify(path.join(ROOT, 'runtime/config.ts'))};
    import { createLogger, flushLogs } from ${JSON.stringify(path.join(ROOT, 'runtime/logger.ts'))};
    import { startMailCatcher } from ${JSON.stringify(path.join(ROOT, 'runtime/mail/catcher.ts'))};
    const log = createLogger(loadConfig(), { app: 'order-pipeline' });
    ${body}
    await flushLogs();`;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { stdout: child.stdout, stderr: child.stderr, status: child.status };
}

test('stdout that is not a terminal gets one JSON object a line, the mail catcher\'s start included', () => {
  const out = run(`
    const catcher = await startMailCatcher({ log, smtpPort: 0, webPort: 0 });
    log.info({ messageId: 'm-1' }, 'handled');
    await catcher.stop();`, { LOG_LEVEL: 'debug' });
  assert.is(out.status, 0, out.stderr);
  const lines = out.stdout.trim().split('\n');
  for (const line of lines) {
    assert.not.throws(() => JSON.parse(line), `not JSON: ${line}`);
  }
  const records = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.ok(records.some((r) => r.component === 'maildev' && /MailDev API running at/.test(String(r.msg))), 'MailDev\'s own line goes through the logger');
  assert.ok(records.some((r) => r.msg === 'handled' && r.messageId === 'm-1'));
});

test('at info the mail catcher\'s own banner is not printed at all', () => {
  const out = run(`
    const catcher = await startMailCatcher({ log, smtpPort: 0, webPort: 0 });
    await catcher.stop();`, { LOG_LEVEL: 'info' });
  assert.is(out.status, 0, out.stderr);
  assert.not.match(out.stdout, /MailDev API running/);
  for (const line of out.stdout.trim().split('\n')) assert.not.throws(() => JSON.parse(line), `not JSON: ${line}`);
});

test('LOG_FORMAT=pretty prints readable lines: time, level, service and message', () => {
  const out = run(`log.child({ service: 'payment' }).warn({ orderId: 'o-1' }, 'charge declined');`, { LOG_FORMAT: 'pretty', NO_COLOR: '1' });
  assert.is(out.status, 0, out.stderr);
  assert.match(out.stdout, /^\[\d\d:\d\d:\d\d\.\d{3}\] WARN: payment: charge declined \{"orderId":"o-1"\}$/m);
  assert.throws(() => JSON.parse(out.stdout.trim()));
});

test.run();
