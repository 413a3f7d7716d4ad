// The simulated card processor over real HTTP (simulators/payment-provider), and the
// payment service's client of it: Idempotency-Key semantics (one key, one charge, one
// answer, even concurrently; another body is 422), seeded outcomes, injected 503s and
// hangs that charge nothing, the admin API, the standalone process; and how the client
// turns timeouts, 5xx and refused connections into retries and 4xx into dead letters.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { startPaymentProvider, type PaymentProvider, type ProviderSettings } from '../simulators/payment-provider/server.ts';
import { faultOf, paymentOutcome } from '../simulators/payment-provider/outcome.ts';
import { gatewayClient } from '../handlers/payment/gateway.ts';
import { eventually } from './support/env.ts';
import { DependencyUnavailableError, PermanentError } from '../runtime/errors.ts';
import { freePort } from './support/smtp.ts';

const SEED = 'provider-spec';
const BASE: ProviderSettings = { latencyMs: 20, failureRate: 0.5, errorRate: 0, timeoutRate: 0, seed: SEED };

let provider: PaymentProvider;

test.before(async () => {
  provider = await startPaymentProvider({ port: 0, settings: BASE });
});
test.before.each(() => { provider.update(BASE); });
test.after(async () => { await provider?.stop(); });

const amount = { amount: 1499, currency: 'EUR' };

async function post(body: unknown, key: string | undefined, url = provider.url) {
  const res = await fetch(`${url}/charges`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { 'idempotency-key': key } : {}) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() as Record<string, unknown>, replayed: res.headers.get('idempotent-replayed') };
}

const chargesOf = (orderId: string) => provider.charges().filter((c) => c.orderId === orderId);

test('POST /charges without Idempotency-Key or with a bad body is 400 and charges nothing', async () => {
  const orderId = randomUUID();
  assert.is((await post({ orderId, amount }, undefined)).status, 400);
  assert.is((await post('{not json', orderId)).status, 400);
  assert.is((await post({ orderId, amount: { amount: 'ten', currency: 'EUR' } }, orderId)).status, 400);
  assert.equal(chargesOf(orderId), []);
});

test('the same key gets the same answer and charge id, after the latency; the outcome is the seeded one', async () => {
  for (let i = 0; i < 6; i++) {
    const orderId = randomUUID();
    const started = Date.now();
    const first = await post({ orderId, amount }, orderId);
    assert.ok(Date.now() - started >= BASE.latencyMs - 2, 'answers after the latency');
    assert.is(first.status, 200);
    const want = paymentOutcome(orderId, SEED, BASE.failureRate) === 'SUCCEEDED' ? 'SUCCEEDED' : 'DECLINED';
    assert.is(first.body.status, want);
    if (want === 'DECLINED') assert.is(first.body.reason, 'Card declined by issuer');
    const again = await post({ orderId, amount }, orderId);
    assert.equal(again.body, first.body);
    assert.is(again.replayed, 'true');
    const [charge, ...more] = chargesOf(orderId);
    assert.equal(more, []);
    assert.is(charge.chargeId, first.body.chargeId);
    assert.is(charge.calls, 2);
  }
});

test('calls with one key in flight at once wait for the first: one charge, one answer', async () => {
  provider.update({ latencyMs: 200 });
  const orderId = randomUUID();
  const answers = await Promise.all(Array.from({ length: 10 }, () => post({ orderId, amount }, orderId)));
  assert.ok(answers.every((a) => a.status === 200));
  assert.is(new Set(answers.map((a) => a.body.chargeId)).size, 1);
  assert.is(chargesOf(orderId).length, 1);
  assert.is(chargesOf(orderId)[0].calls, 10);
});

test('a key reused with another body is 422 and changes nothing', async () => {
  const orderId = randomUUID();
  const first = await post({ orderId, amount }, orderId);
  const other = await post({ orderId, amount: { amount: 1, currency: 'EUR' } }, orderId);
  assert.is(other.status, 422);
  assert.match(String(other.body.error), orderId);
  assert.equal((await post({ orderId, amount }, orderId)).body, first.body);
  assert.is(chargesOf(orderId).length, 1);
});

test('injected 503s and hangs charge nothing; a later call with the key charges once', async () => {
  const orderId = randomUUID();
  provider.update({ errorRate: 1 });
  const failed = await post({ orderId, amount }, orderId);
  assert.is(failed.status, 503);
  provider.update({ errorRate: 0, timeoutRate: 1 });
  const hung = await fetch(`${provider.url}/charges`, {
    method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': orderId },
    body: JSON.stringify({ orderId, amount }), signal: AbortSignal.timeout(300),
  }).then(() => 'answered', (err: Error) => err.name);
  assert.is(hung, 'TimeoutError');
  assert.equal(chargesOf(orderId), []);
  provider.update({ timeoutRate: 0 });
  assert.is((await post({ orderId, amount }, orderId)).status, 200);
  const [charge, ...more] = chargesOf(orderId);
  assert.equal(more, []);
  assert.is(charge.calls, 3, 'every call with the key is counted, faulted ones too');
});

test('faults are drawn per (seed, key, call): a retry draws again', () => {
  const keys = Array.from({ length: 400 }, () => randomUUID());
  for (const k of keys.slice(0, 20)) assert.is(faultOf(k, 1, SEED, 0.3, 0.3), faultOf(k, 1, SEED, 0.3, 0.3));
  const errors = keys.filter((k) => faultOf(k, 1, SEED, 0.3, 0) === 'error').length / keys.length;
  assert.ok(errors > 0.2 && errors < 0.4, `error share ${errors}`);
  assert.ok(keys.some((k) => faultOf(k, 1, SEED, 0.5, 0) !== faultOf(k, 2, SEED, 0.5, 0)), 'the call number matters');
  assert.ok(keys.every((k) => faultOf(k, 1, SEED, 0, 0) === undefined));
});

test('admin API: settings are changed at runtime and checked; charges list with call counts', async () => {
  const put = (body: unknown) => fetch(`${provider.url}/admin/settings`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const ok = await put({ latencyMs: 5, failureRate: 0 });
  assert.is(ok.status, 200);
  assert.equal(await ok.json(), { ...BASE, latencyMs: 5, failureRate: 0 });
  assert.is((await put({ failureRate: 2 })).status, 400);
  assert.is((await put({ seed: 'x' })).status, 400);
  assert.is(provider.settings().failureRate, 0);
  const orderId = randomUUID();
  await post({ orderId, amount }, orderId);
  const listed = await (await fetch(`${provider.url}/admin/charges`)).json() as { charges: { orderId: string; calls: number; status: string }[]; inFlight: number };
  const mine = listed.charges.filter((c) => c.orderId === orderId);
  assert.is(mine.length, 1);
  assert.is(mine[0].status, 'SUCCEEDED');
  assert.is(mine[0].calls, 1);
  assert.is(listed.inFlight, 0);
  assert.is((await fetch(`${provider.url}/health`)).status, 200);
});

test('client: answers pass through; 100 charges in flight at once are not queued behind each other', async () => {
  provider.update({ latencyMs: 3000 });
  const client = gatewayClient({ baseUrl: () => provider.url, timeoutMs: 20_000 });
  const orders = Array.from({ length: 100 }, () => randomUUID());
  const charging = Promise.all(orders.map((orderId) => client.charge({ orderId, amount, attempt: 1 })));
  // all 100 at the processor at once: none waits for another's answer (no clock involved)
  await eventually(async () => provider.inFlight() === 100, '100 charges in flight at once', 20_000, 5);
  const answers = await charging;
  answers.forEach((a, i) => assert.is(a.orderId, orders[i]));
  assert.ok(orders.every((o) => chargesOf(o).length === 1));
});

test('client: a timeout, a 503 and a refused connection mean the gateway is unavailable (no attempt spent), with context; a 422 is a PermanentError', async () => {
  const orderId = randomUUID();
  const client = gatewayClient({ baseUrl: () => provider.url, timeoutMs: 200 });
  const failure = (p: Promise<unknown>) => p.then(() => undefined, (err: Error) => err);

  provider.update({ timeoutRate: 1 });
  const timedOut = await failure(client.charge({ orderId, amount, attempt: 2 }));
  assert.instance(timedOut, DependencyUnavailableError);
  assert.match(timedOut!.message, `charging order ${orderId} (attempt 2)`);
  assert.match(timedOut!.message, 'within 200 ms');

  provider.update({ timeoutRate: 0, errorRate: 1 });
  const unavailable = await failure(client.charge({ orderId, amount, attempt: 3 }));
  assert.instance(unavailable, DependencyUnavailableError);
  assert.match(unavailable!.message, '503');
  assert.equal(chargesOf(orderId), []);

  const port = await freePort();
  const refused = await failure(gatewayClient({ baseUrl: () => `http://127.0.0.1:${port}`, timeoutMs: 1000 }).charge({ orderId, amount, attempt: 1 }));
  assert.instance(refused, DependencyUnavailableError);
  assert.match(refused!.message, 'ECONNREFUSED');

  provider.update({ errorRate: 0 });
  await client.charge({ orderId, amount, attempt: 4 });
  const conflict = await failure(client.charge({ orderId, amount: { amount: 1, currency: 'EUR' }, attempt: 5 }));
  assert.instance(conflict, PermanentError);
  assert.match(conflict!.message, '422');

  const never = await failure(gatewayClient({ baseUrl: () => new Promise<string>(() => undefined), timeoutMs: 100 }).charge({ orderId, amount, attempt: 1 }));
  assert.instance(never, DependencyUnavailableError);
  assert.match(never!.message, 'address is not known yet');
});

test('`npm run payment-provider` runs it as its own process on PAYMENT_PROVIDER_PORT and stops on SIGTERM', async () => {
  const port = await freePort();
  // The script's own command, run without npm in between (npm would stand between the signal and the process).
  const root = new URL('..', import.meta.url).pathname;
  const script = (JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { scripts: Record<string, string> }).scripts['payment-provider'];
  const [command, ...args] = script.split(' ');
  assert.is(command, 'node');
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { ...process.env, PAYMENT_PROVIDER_PORT: String(port), PAYMENT_SEED: SEED, PAYMENT_FAILURE_RATE: '0', PAYMENT_LATENCY_MS: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    let out = '';
    child.stdout!.on('data', (d) => { out += d; });
    let err = '';
    child.stderr!.on('data', (d) => { err += d; });
    const deadline = Date.now() + 20_000;
    while (!out.includes('listening')) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`no start: ${out} ${err}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const orderId = randomUUID();
    const res = await post({ orderId, amount }, orderId, `http://127.0.0.1:${port}`);
    assert.is(res.status, 200);
    assert.is(res.body.status, 'SUCCEEDED');
  } finally {
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    assert.is(await exited, 0);
  }
});

test.run();
