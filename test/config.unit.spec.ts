// Configuration: working defaults, and a bad value named in one clear error before anything starts.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { autoThreads, ConfigError, loadConfig, redactUrl, TWO_THREADS_MIN_MEMORY_MIB, withoutSecrets } from '../runtime/config.ts';
import { availableParallelism } from 'node:os';
import { SECOND_THREAD, selectServices, threadsOf } from '../handlers/index.ts';
import { serviceNames } from '../generated/registry.ts';
import { commitOf, limitsOf } from '../runtime/host.ts';

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

test('THREADS=auto: one event loop on one core, or where the process\'s memory is limited below what a second heap needs', () => {
  const MiB = 1048576;
  const unlimited = 2 ** 64; // what process.constrainedMemory() answers where no cgroup limits the process
  assert.is(autoThreads(2, unlimited).threads, 2);
  assert.is(autoThreads(2, 0).threads, 2, 'an unknown limit is none');
  assert.is(autoThreads(8, unlimited).threads, 2);
  assert.is(autoThreads(1, unlimited).threads, 1);
  assert.equal(autoThreads(2, 300 * MiB), { threads: 1, reason: `THREADS=auto: the process's memory is limited to 300 MiB, under the ${TWO_THREADS_MIN_MEMORY_MIB} MiB a second thread's heap needs` });
  assert.is(autoThreads(2, (TWO_THREADS_MIN_MEMORY_MIB - 1) * MiB).threads, 1);
  assert.equal(autoThreads(2, TWO_THREADS_MIN_MEMORY_MIB * MiB), { threads: 2, reason: `THREADS=auto: 2 cores, memory limited to ${TWO_THREADS_MIN_MEMORY_MIB} MiB` });
  assert.is(autoThreads(1, 300 * MiB).threads, 1);
});

test('THREADS: the all-in-one process runs what follows an order\'s outcome on a second thread; auto is two on two cores or more', () => {
  assert.is(loadConfig({}).threads, autoThreads(availableParallelism(), process.constrainedMemory()).threads);
  assert.is(loadConfig({}).threadsReason, autoThreads(availableParallelism(), process.constrainedMemory()).reason);
  assert.is(loadConfig({ THREADS: '1' }).threadsReason, 'THREADS=1');
  assert.is(loadConfig({ THREADS: 'auto' }).threads, loadConfig({}).threads);
  assert.is(loadConfig({ THREADS: '1' }).threads, 1);
  assert.is(loadConfig({ THREADS: '2' }).threads, 2);
  assert.throws(() => loadConfig({ THREADS: '4' }), (err: Error) => err instanceof ConfigError && /^THREADS must be 1, 2 or auto/.test(err.message));

  const [main, second] = threadsOf('all', 2);
  assert.equal([...main, ...second].sort(), [...serviceNames].sort(), 'every service on one thread or the other');
  assert.equal([...second].sort(), [...SECOND_THREAD].sort(), 'the second thread runs exactly SECOND_THREAD');
  assert.ok(main.includes('api') && main.includes('payment') && main.includes('store-order'), 'the order\'s own path on the main thread');
  assert.equal(threadsOf('all', 1).map((names) => [...names].sort()), [[...serviceNames].sort()]);
  assert.equal(threadsOf(['payment', 'invoice-email'], 2), [['payment'], ['invoice-email']]);
  assert.equal(threadsOf(['payment', 'invoice'], 2), [['payment', 'invoice']], 'nothing for a second thread: one');
  assert.equal(threadsOf(['invoice-email'], 2), [['invoice-email']], 'nothing for the main thread: one, the main');
  assert.equal(threadsOf(['payment', 'invoice-email'], 1), [['payment', 'invoice-email']]);
});

test('each service has its own limits: PREFETCH_<SERVICE> and DB_POOL_MAX_<SERVICE> over the service\'s defaults over the process defaults', async () => {
  const c = loadConfig({ PREFETCH: '16', DB_POOL_MAX: '2', PREFETCH_PAYMENT: '300', DB_POOL_MAX_ORDER_TIMELINE: '6' });
  assert.equal(c.serviceLimits, { payment: { prefetch: 300 }, 'order-timeline': { dbPoolMax: 6 } });
  const [api, payment, timeline, invoice] = await selectServices(['api', 'payment', 'order-timeline', 'invoice']);
  assert.equal(limitsOf(payment, c), { prefetch: 300, dbPoolMax: 2 });
  assert.equal(limitsOf(timeline, c), { prefetch: 16, dbPoolMax: 6 });
  assert.equal(limitsOf(invoice, c), { prefetch: 16, dbPoolMax: 2 });
  assert.is(limitsOf(api, c).dbPoolMax, 8, 'the api keeps its own, larger pool');
  assert.is(c.payment.maxInFlight, 1000, 'payment\'s prefetch may rise to 1,000 against a slow processor');
  assert.is(loadConfig({ PAYMENT_MAX_IN_FLIGHT: '300' }).payment.maxInFlight, 300);
  assert.throws(() => loadConfig({ PREFETCH_PAYMNET: '5' }), /^PREFETCH_PAYMNET names no service of asyncapi.yaml/);
  assert.throws(() => loadConfig({ DB_POOL_MAX_API: '0' }), /^DB_POOL_MAX_API=0 is not a number between 1 and 200/);
});

test('a consumer off the orders\' path gathers its deliveries before committing: the service\'s own wait, GATHER_MS_<SERVICE> over it', async () => {
  const [logs, timeline, payment] = await selectServices(['log-persistence', 'order-timeline', 'payment']);
  const defaults = loadConfig({});
  assert.is(commitOf(logs, defaults).gatherMs, 100);
  assert.is(commitOf(timeline, defaults).gatherMs, 100);
  assert.is(commitOf(payment, defaults).gatherMs, 0, 'a service on the orders\' path commits a lone delivery at once');
  const c = loadConfig({ GATHER_MS_LOG_PERSISTENCE: '0', GATHER_MS_PAYMENT: '5' });
  assert.equal(c.serviceLimits, { 'log-persistence': { gatherMs: 0 }, payment: { gatherMs: 5 } });
  assert.is(commitOf(logs, c).gatherMs, 0);
  assert.is(commitOf(payment, c).gatherMs, 5);
  assert.throws(() => loadConfig({ GATHER_MS_PAYMENT: '-1' }), /^GATHER_MS_PAYMENT=-1 is not a number between 0 and 10000/);
});

test('every service gathers its deliveries for GATHER_UNDER_LOAD_MS (20) while they come at least twice per it; 0 never', async () => {
  const [payment, timeline] = await selectServices(['payment', 'order-timeline']);
  assert.is(commitOf(payment, loadConfig({})).gatherUnderLoadMs, 20);
  assert.is(commitOf(timeline, loadConfig({})).gatherUnderLoadMs, 20);
  assert.is(commitOf(payment, loadConfig({ GATHER_UNDER_LOAD_MS: '0' })).gatherUnderLoadMs, 0);
  assert.throws(() => loadConfig({ GATHER_UNDER_LOAD_MS: '2000' }), /^GATHER_UNDER_LOAD_MS=2000 is not a number between 0 and 1000/);
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
    [{ PAYMENT_PROVIDER_KEY_HOURS: '0.05', RETRY_DELAYS_MS: '60000' }, /^PAYMENT_PROVIDER_KEY_HOURS=0.05 must outlast the retries/],
    [{ PAYMENT_PROVIDER_KEY_HOURS: '0' }, /^PAYMENT_PROVIDER_KEY_HOURS=0 is not a number between 0.01 and 720/],
    [{ PAYMENT_PROVIDER_MAX_KEYS: '50' }, /^PAYMENT_PROVIDER_MAX_KEYS=50 is not a number between 100 and/],
    [{ PAYMENT_MAX_IN_FLIGHT: '0' }, /^PAYMENT_MAX_IN_FLIGHT=0 is not a number between 1 and 65535/],
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

test('the process names a bad URL at start without its password', () => {
  const main = path.join(import.meta.dirname, '..', 'runtime', 'main.ts');
  const run = spawnSync(process.execPath, [main], { env: { ...process.env, DATABASE_URL: 'postgres://shop:s3cr3t@db host/shop' }, encoding: 'utf8', timeout: 20_000 });
  assert.is(run.status, 1);
  assert.equal(run.stderr.trim().split('\n'), ['configuration error: DATABASE_URL is not a URL: postgres://***@db host/shop']);
  assert.not.match(run.stdout + run.stderr, 's3cr3t');
});

test('an unparsable URL is named in the error without its password', () => {
  for (const name of ['DATABASE_URL', 'AMQP_URL', 'SMTP_URL', 'PAYMENT_GATEWAY_URL']) {
    const scheme = { DATABASE_URL: 'postgres', AMQP_URL: 'amqp', SMTP_URL: 'smtp', PAYMENT_GATEWAY_URL: 'https' }[name];
    // a space and a second @ make each of these unparsable
    const raw = `${scheme}://shop:s3cr3t pass@word@db host:5432/shop`;
    try {
      loadConfig({ [name]: raw });
      assert.unreachable(`${name} should be refused`);
    } catch (err) {
      assert.instance(err, ConfigError);
      const message = (err as Error).message;
      assert.match(message, new RegExp(`^${name} is not a URL: ${scheme}://\\*\\*\\*@db host:5432/shop$`));
      assert.not.match(message, /s3cr3t|word@db/);
    }
  }
});

test('a URL with the wrong scheme is refused without quoting it', () => {
  assert.throws(() => loadConfig({ DATABASE_URL: 'mysql://shop:s3cr3t@db:3306/shop' }), (err: Error) => /^DATABASE_URL must use/.test(err.message) && !err.message.includes('s3cr3t'));
});

test('redactUrl hides the password of a URL and the credentials of a broken one', () => {
  assert.is(redactUrl('amqp://guest:guest@127.0.0.1:5672'), 'amqp://guest:***@127.0.0.1:5672');
  assert.is(redactUrl('postgres://postgres@127.0.0.1:5432/shop'), 'postgres://postgres@127.0.0.1:5432/shop', 'nothing to hide');
  assert.is(redactUrl('postgres://u:p w@h/db'), 'postgres://u:***@h/db');
  assert.is(redactUrl('postgres://u:p@w@h b/db'), 'postgres://***@h b/db', 'unparsable (space in the host)');
  assert.is(redactUrl('not a url'), 'not a url');
});

test('an error quoting a configured URL loses its password (startup errors)', () => {
  const config = loadConfig({ DATABASE_URL: 'postgres://shop:p%40ss@db:5432/shop', AMQP_URL: 'amqp://app:hunter2@mq:5672' });
  const text = withoutSecrets('connect to postgres://shop:p%40ss@db:5432/shop failed; amqp said hunter2; pg said p@ss', config);
  assert.not.match(text, /hunter2|p%40ss|p@ss/);
  assert.match(text, /postgres:\/\/shop:\*\*\*@db:5432\/shop/);
});

test('POST /orders is rate limited per client by default; ORDER_RATE_LIMIT_MAX=0 turns it off', () => {
  assert.equal(loadConfig({}).orderRateLimit, { max: 60, windowMs: 60_000, trustProxy: false });
  assert.equal(loadConfig({ ORDER_RATE_LIMIT_MAX: '0', ORDER_RATE_LIMIT_WINDOW_MS: '1000', TRUST_PROXY: 'loopback' }).orderRateLimit, { max: 0, windowMs: 1000, trustProxy: ['loopback'] });
  assert.equal(loadConfig({ TRUST_PROXY: '10.0.0.0/8, 127.0.0.1' }).orderRateLimit.trustProxy, ['10.0.0.0/8', '127.0.0.1']);
  assert.is(loadConfig({ TRUST_PROXY: 'false' }).orderRateLimit.trustProxy, false);
  assert.throws(() => loadConfig({ ORDER_RATE_LIMIT_MAX: '-1' }), /^ORDER_RATE_LIMIT_MAX=-1 is not a number between 0 and/);
  assert.throws(() => loadConfig({ ORDER_RATE_LIMIT_MAX: '2.5' }), /^ORDER_RATE_LIMIT_MAX=2.5 is not a whole number/);
  assert.throws(() => loadConfig({ ORDER_RATE_LIMIT_WINDOW_MS: '10' }), /^ORDER_RATE_LIMIT_WINDOW_MS=10 is not a number between 1000/);
  assert.throws(() => loadConfig({ TRUST_PROXY: 'true' }), /^TRUST_PROXY=true must be false or the proxies' addresses/, 'trusting every hop would let a client name itself');
  assert.throws(() => loadConfig({ TRUST_PROXY: '2' }), /^TRUST_PROXY=2 must be/);
  assert.throws(() => loadConfig({ TRUST_PROXY: '10.0.0.0/8/1' }), /^TRUST_PROXY=10.0.0.0\/8\/1 must be/);
});

test('LOG_FORMAT chooses pretty or JSON logs over the terminal default', () => {
  assert.is(loadConfig({ LOG_FORMAT: 'json' }).logFormat, 'json');
  assert.is(loadConfig({ LOG_FORMAT: 'pretty' }).logFormat, 'pretty');
  assert.throws(() => loadConfig({ LOG_FORMAT: 'xml' }), /^LOG_FORMAT=xml must be one of pretty, json/);
});

test.run();
