// The simulated card processor over real HTTP (simulators/payment-provider), and the
// payment service's client of it: Idempotency-Key semantics (one key, one charge, one
// answer, even concurrently; another body is 422), seeded outcomes, injected 503s and
// hangs that charge nothing, the admin API, the standalone process; and how the client
// turns timeouts, 5xx and refused connections into retries and 4xx into dead letters.
// Against a processor of the tests' own (plain node:http, to see its connections): the
// client keeps one connection alive across charges, sends a charge once more when a kept
// connection was closed under it, and never reuses one a timeout cut.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { startPaymentProvider, type PaymentProvider, type ProviderOptions, type ProviderSettings } from '../simulators/payment-provider/server.ts';
import { faultOf, paymentOutcome } from '../simulators/payment-provider/outcome.ts';
import { gatewayClient } from '../handlers/payment/gateway.ts';
import { eventually } from './support/env.ts';
import { DependencyUnavailableError, PermanentError } from '../runtime/errors.ts';
import { freePort } from './support/smtp.ts';

const SEED = 'provider-spec';
const BASE: ProviderSettings = { latencyMs: 20, failureRate: 0.5, errorRate: 0, timeoutRate: 0, capacity: 0, seed: SEED };

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
/** Runs body against a processor of its own (its own key window or cap), stopped after. */
async function withOwnProvider(options: Omit<ProviderOptions, 'port'>, body: (own: PaymentProvider) => Promise<void>): Promise<void> {
  const own = await startPaymentProvider({ port: 0, ...options });
  try {
    await body(own);
  } finally {
    await own.stop();
  }
}

/** What a promise failed with; undefined if it did not. */
const failure = (p: Promise<unknown>) => p.then(() => undefined, (err: Error) => err);

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

test('a key is forgotten once its window after its last call has passed: the same key then charges anew', async () => {
  await withOwnProvider({ settings: { ...BASE, latencyMs: 0 }, keyRetentionMs: 200 }, async (short) => {
    const orderId = randomUUID();
    const first = await post({ orderId, amount }, orderId, short.url);
    await eventually(async () => short.charges().length === 0, 'the key to be forgotten', 10_000, 20);
    const later = await post({ orderId, amount }, orderId, short.url);
    assert.is(later.status, 200);
    assert.is(later.replayed, null);
    assert.is.not(later.body.chargeId, first.body.chargeId);
    assert.equal(short.charges().map((c) => [c.chargeId, c.calls]), [[later.body.chargeId, 1]]);
  });
});

test('a key with a call in flight is not forgotten, however long the call takes', async () => {
  await withOwnProvider({ settings: { ...BASE, latencyMs: 5000 }, keyRetentionMs: 20 }, async (short) => {
    const orderId = randomUUID();
    const first = post({ orderId, amount }, orderId, short.url);
    await eventually(async () => short.charges().some((c) => c.status === 'PROCESSING'), 'the charge to be processing', 10_000, 10);
    await new Promise((r) => setTimeout(r, 500)); // many windows and sweeps
    const second = post({ orderId, amount }, orderId, short.url);
    const [a, b] = await Promise.all([first, second]);
    assert.is(b.body.chargeId, a.body.chargeId, 'one charge: the second call found the key and waited');
    assert.is(b.replayed, 'true');
  });
});

test('past maxKeys the least recently called keys are forgotten first, never one with a call in flight', async () => {
  await withOwnProvider({ settings: { ...BASE, latencyMs: 5000 }, maxKeys: 3 }, async (small) => {
    const slow = randomUUID();
    const inFlight = post({ orderId: slow, amount }, slow, small.url);
    inFlight.catch(() => undefined); // awaited below; a failed assertion before that must not leave it unhandled
    await eventually(async () => small.charges().some((c) => c.orderId === slow), 'the slow charge to be processing', 10_000, 10);
    small.update({ latencyMs: 0 });
    const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
    for (const id of [a, b]) await post({ orderId: id, amount }, id, small.url);
    assert.is((await post({ orderId: a, amount }, a, small.url)).replayed, 'true'); // a is now called more recently than b
    await post({ orderId: c, amount }, c, small.url); // the fourth key: one must go
    const remembered = small.charges().map((x) => x.orderId).sort();
    assert.equal(remembered, [slow, a, c].sort(), 'b, the least recently called, went; the slow one, older still, is in flight');
    assert.is(small.forgottenEarly(), 1);
    const listed = await (await fetch(`${small.url}/admin/charges`)).json() as { forgottenEarly: number };
    assert.is(listed.forgottenEarly, 1);
    const slowAnswer = await inFlight;
    assert.is(slowAnswer.status, 200);
    assert.is((await post({ orderId: slow, amount }, slow, small.url)).body.chargeId, slowAnswer.body.chargeId, 'the slow key was kept');
  });
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

test('capacity: charges past it wait their turn, so six at a capacity of two answer in three rounds of the latency', async () => {
  provider.update({ latencyMs: 300, capacity: 2 });
  try {
    const orders = Array.from({ length: 6 }, () => randomUUID());
    const started = performance.now();
    const finished: number[] = [];
    await Promise.all(orders.map(async (orderId) => {
      const reply = await post({ orderId, amount }, orderId);
      assert.is(reply.status, 200);
      finished.push(performance.now() - started);
    }));
    finished.sort((a, b) => a - b);
    // timers never fire early: a busy machine only stretches the rounds
    assert.ok(finished[5]! >= 3 * 300 - 5, `the last answer after three rounds (${finished.map(Math.round).join(', ')} ms)`);
    assert.ok(finished[1]! < finished[5]! - 300, `the first two did not wait for the others (${finished.map(Math.round).join(', ')} ms)`);
    assert.ok(orders.every((o) => chargesOf(o).length === 1));
  } finally {
    provider.update({ capacity: 0 });
  }
});

test('admin API: settings are changed at runtime and checked; charges list with call counts', async () => {
  const put = (body: unknown) => fetch(`${provider.url}/admin/settings`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const ok = await put({ latencyMs: 5, failureRate: 0 });
  assert.is(ok.status, 200);
  assert.equal(await ok.json(), { ...BASE, latencyMs: 5, failureRate: 0 });
  assert.is((await put({ failureRate: 2 })).status, 400);
  assert.is((await put({ capacity: 1.5 })).status, 400);
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
  provider.update({ latencyMs: 6000 }); // the 100 calls all start before the first answer, even on a busy machine
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

// ---------------------------------------------------------------- the client's connections, on a processor of the test's own

/** What the test's processor saw of one request: its key and which request of its connection it was (1: the first). */
interface Seen { readonly key: string; readonly onConnection: number }

/**
 * A processor as plain node:http, counting its connections: `reply` answers each request
 * (res), or does not, given its parsed body and what was seen. A request it leaves
 * unanswered is held until the client gives up.
 */
async function testProcessor(reply: (res: ServerResponse, body: { orderId: string }, seen: Seen) => void) {
  const requestsOn = new WeakMap<Socket, number>();
  const open = new Set<Socket>();
  const seen: Seen[] = [];
  let connections = 0;
  const server = createServer(async (req: IncomingMessage, res) => {
    const onConnection = (requestsOn.get(req.socket) ?? 0) + 1;
    requestsOn.set(req.socket, onConnection);
    let text = '';
    for await (const chunk of req) text += chunk;
    const request = { key: String(req.headers['idempotency-key']), onConnection };
    seen.push(request);
    reply(res, JSON.parse(text) as { orderId: string }, request);
  });
  server.on('connection', (socket: Socket) => {
    connections += 1;
    open.add(socket);
    socket.on('close', () => open.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    connections: () => connections,
    open: () => open.size,
    async stop() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}

const approve = (res: ServerResponse, { orderId }: { orderId: string }) =>
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ chargeId: `ch_${orderId}`, orderId, status: 'SUCCEEDED' }));

test('client: consecutive charges reuse one kept-alive connection; close() drops it', async () => {
  const processor = await testProcessor((res, body) => approve(res, body));
  try {
    const client = gatewayClient({ baseUrl: () => processor.url, timeoutMs: 5000 });
    const orders = Array.from({ length: 5 }, () => randomUUID());
    for (const orderId of orders) assert.is((await client.charge({ orderId, amount, attempt: 1 })).orderId, orderId);
    assert.is(processor.connections(), 1, 'one connection for five charges one after another');
    assert.equal(processor.seen.map((s) => s.onConnection), [1, 2, 3, 4, 5]);
    client.close();
    await eventually(async () => processor.open() === 0, 'the kept connection closed by close()');
    const closed = await failure(client.charge({ orderId: randomUUID(), amount, attempt: 1 }));
    assert.instance(closed, DependencyUnavailableError);
    assert.match(closed!.message, 'closed');
  } finally {
    await processor.stop();
  }
});

test('client: a kept-alive connection the server closed before replying: the charge goes once more, on a new connection, and is answered once', async () => {
  // The keep-alive race, made certain: a request that comes on a kept connection has it cut, unanswered.
  const processor = await testProcessor((res, body, seen) => {
    if (seen.onConnection > 1) res.socket!.destroy();
    else approve(res, body);
  });
  try {
    const client = gatewayClient({ baseUrl: () => processor.url, timeoutMs: 5000 });
    const [first, second] = [randomUUID(), randomUUID()];
    await client.charge({ orderId: first, amount, attempt: 1 });
    const answer = await client.charge({ orderId: second, amount, attempt: 1 });
    assert.is(answer.orderId, second);
    assert.equal(processor.seen, [
      { key: first, onConnection: 1 },
      { key: second, onConnection: 2 }, // cut unanswered
      { key: second, onConnection: 1 }, // the same key again, on a connection of its own
    ]);
    assert.is(processor.connections(), 2);
  } finally {
    await processor.stop();
  }
});

test('client: a connection cut before the reply is sent again only once, and only if it was a kept one; then the gateway is unavailable', async () => {
  // Every request but the very first is cut unanswered, on a kept connection or a new one.
  const processor = await testProcessor((res, body) => {
    if (processor.seen.length > 1) res.socket!.destroy();
    else approve(res, body);
  });
  try {
    const client = gatewayClient({ baseUrl: () => processor.url, timeoutMs: 5000 });
    await client.charge({ orderId: randomUUID(), amount, attempt: 1 });
    const orderId = randomUUID();
    const twice = await failure(client.charge({ orderId, amount, attempt: 2 }));
    assert.instance(twice, DependencyUnavailableError);
    assert.match(twice!.message, `charging order ${orderId} (attempt 2)`);
    assert.match(twice!.message, 'ECONNRESET');
    assert.equal(processor.seen.slice(1), [{ key: orderId, onConnection: 2 }, { key: orderId, onConnection: 1 }], 'sent again once, on a new connection');

    const fresh = randomUUID();
    const once = await failure(gatewayClient({ baseUrl: () => processor.url, timeoutMs: 5000 }).charge({ orderId: fresh, amount, attempt: 1 }));
    assert.instance(once, DependencyUnavailableError);
    assert.equal(processor.seen.filter((s) => s.key === fresh), [{ key: fresh, onConnection: 1 }], 'a new connection cut: not sent again');
  } finally {
    await processor.stop();
  }
});

test('client: a request accepted and never answered, or a reply whose body never ends, times out within the limit as unavailable; the connection is destroyed, never reused', async () => {
  const TIMEOUT_MS = 300;
  let mode: 'silent' | 'half-body' | 'answer' = 'silent';
  const processor = await testProcessor((res, body) => {
    if (mode === 'answer') approve(res, body);
    else if (mode === 'half-body') res.writeHead(200, { 'content-type': 'application/json' }).write('{"chargeId":');
  });
  try {
    const client = gatewayClient({ baseUrl: () => processor.url, timeoutMs: TIMEOUT_MS });
    for (const m of ['silent', 'half-body'] as const) {
      mode = m;
      const started = Date.now();
      const timedOut = await failure(client.charge({ orderId: randomUUID(), amount, attempt: 1 }));
      const took = Date.now() - started;
      assert.instance(timedOut, DependencyUnavailableError, m);
      assert.match(timedOut!.message, `no answer from ${processor.url} within ${TIMEOUT_MS} ms`);
      // the upper bound only tells a working timeout from a hang: a busy machine may be late to fire it
      assert.ok(took >= TIMEOUT_MS - 5 && took < TIMEOUT_MS + 5000, `${m}: gave up after ${took} ms`);
      await eventually(async () => processor.open() === 0, `${m}: the timed-out connection destroyed`);
    }
    mode = 'answer';
    await client.charge({ orderId: randomUUID(), amount, attempt: 1 });
    assert.is(processor.connections(), 3, 'each call on a connection of its own: none was reused after a timeout');
  } finally {
    await processor.stop();
  }
});

test('client: the reply is read whole as UTF-8, a character split across chunks included', async () => {
  const reason = 'Carte refusée — solde insuffisant ✓';
  const processor = await testProcessor((res, { orderId }) => {
    const bytes = Buffer.from(JSON.stringify({ chargeId: 'ch_utf8', orderId, status: 'DECLINED', reason }));
    const inside = bytes.indexOf(Buffer.from('é')) + 1; // between the two bytes of é
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write(bytes.subarray(0, inside), () => res.end(bytes.subarray(inside)));
  });
  try {
    const orderId = randomUUID();
    const answer = await gatewayClient({ baseUrl: () => processor.url, timeoutMs: 5000 }).charge({ orderId, amount, attempt: 1 });
    assert.equal(answer, { chargeId: 'ch_utf8', orderId, status: 'DECLINED', reason });
  } finally {
    await processor.stop();
  }
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
