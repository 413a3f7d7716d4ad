// Configuration: working defaults, and a bad value named in one clear error before anything starts.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { ConfigError, loadConfig } from '../runtime/config.ts';
import { selectServices } from '../handlers/index.ts';
import { serviceNames } from '../generated/registry.ts';
import { limitsOf } from '../runtime/host.ts';

test('the defaults run everything locally', () => {
  const c = loadConfig({});
  assert.is(c.amqpUrl, 'amqp://guest:guest@127.0.0.1:5672');
  assert.is(c.databaseUrl, 'postgres://postgres@127.0.0.1:5432/shop');
  assert.is(c.smtpUrl, undefined);
  assert.is(c.port, 8080);
  assert.is(c.services, 'all');
  assert.is(c.payment.failureRate, 0.2);
  assert.is(c.retryDelaysMs, undefined, 'the contract\'s delays apply');
});

test('SERVICE picks services by their contract names', async () => {
  assert.equal(loadConfig({ SERVICE: 'payment, invoice' }).services, ['payment', 'invoice']);
  assert.equal((await selectServices(['payment', 'invoice'])).map((s) => s.name), ['payment', 'invoice']);
  assert.equal((await selectServices('all')).map((s) => s.name).sort(), [...serviceNames].sort());
  await selectServices(['paymnet']).then(() => assert.unreachable('an unknown name is refused'), (err: Error) => assert.match(err.message, /unknown service "paymnet"/));
});

test('each service has its own limits: PREFETCH_<SERVICE> and DB_POOL_MAX_<SERVICE> over the service\'s defaults over the process defaults', async () => {
  const c = loadConfig({ PREFETCH: '16', DB_POOL_MAX: '2', PREFETCH_PAYMENT: '300', DB_POOL_MAX_ORDER_TIMELINE: '6' });
  assert.equal(c.serviceLimits, { payment: { prefetch: 300 }, 'order-timeline': { dbPoolMax: 6 } });
  const [api, payment, timeline, invoice] = await selectServices(['api', 'payment', 'order-timeline', 'invoice']);
  assert.equal(limitsOf(payment, c), { prefetch: 300, dbPoolMax: 2 });
  assert.equal(limitsOf(timeline, c), { prefetch: 16, dbPoolMax: 6 });
  assert.equal(limitsOf(invoice, c), { prefetch: 16, dbPoolMax: 2 });
  assert.is(limitsOf(api, c).dbPoolMax, 8, 'the api keeps its own, larger pool');
  assert.throws(() => loadConfig({ PREFETCH_PAYMNET: '5' }), /^PREFETCH_PAYMNET names no service of asyncapi.yaml/);
  assert.throws(() => loadConfig({ DB_POOL_MAX_API: '0' }), /^DB_POOL_MAX_API=0 is not a number between 1 and 200/);
});

test('each bad value is refused with the variable named', () => {
  const cases: [Record<string, string>, RegExp][] = [
    [{ PORT: 'eighty' }, /^PORT=eighty is not a number/],
    [{ PAYMENT_FAILURE_RATE: '1.5' }, /^PAYMENT_FAILURE_RATE=1.5/],
    [{ AMQP_URL: 'http://broker' }, /^AMQP_URL must use amqp:/],
    [{ DATABASE_URL: 'not a url' }, /^DATABASE_URL is not a URL/],
    [{ LOG_LEVEL: 'loud' }, /^LOG_LEVEL=loud must be one of/],
    [{ RETRY_DELAYS_MS: '100,soon' }, /^RETRY_DELAYS_MS must be positive integers/],
    [{ MAIL_FROM: 'Shop <a@b.example>\r\nBcc: x@y.example' }, /^MAIL_FROM must be one address/],
    [{ RETENTION_HOURS: '1', RETRY_DELAYS_MS: '3600000' }, /^RETENTION_HOURS=1 must outlast the retries/],
  ];
  for (const [env, message] of cases) {
    assert.throws(() => loadConfig(env), (err: Error) => err instanceof ConfigError && message.test(err.message), JSON.stringify(env));
  }
});

test('the process refuses to start on bad configuration with one line and exit 1', () => {
  const main = path.join(import.meta.dirname, '..', 'runtime', 'main.ts');
  const run = spawnSync(process.execPath, [main], { env: { ...process.env, PREFETCH: '0' }, encoding: 'utf8', timeout: 20_000 });
  assert.is(run.status, 1);
  assert.equal(run.stderr.trim().split('\n'), ['configuration error: PREFETCH=0 is not a number between 1 and 1000']);
});

test.run();
