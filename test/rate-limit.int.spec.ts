// The API cannot be used to spam, against the real PostgreSQL and RabbitMQ: one client
// gets ORDER_RATE_LIMIT_MAX orders per window, the next is a 429 problem+json naming the
// limit (with Retry-After and RateLimit-* headers, as openapi.yaml declares), while other
// clients and every other route are unaffected. X-Forwarded-For names the client only
// when TRUST_PROXY says a proxy sets it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { apiService } from '../handlers/api/index.ts';
import { startHost, type Host } from '../runtime/host.ts';
import { createLogger } from '../runtime/logger.ts';
import { loadOpenApi, openApiAjv, validatorFor } from '../runtime/http/openapi.ts';
import { createHttpServer, listen } from '../runtime/http/server.ts';
import { createTestEnv, type TestEnv } from './support/env.ts';

const LIMIT = 3;
const doc = loadOpenApi();
const ajv = openApiAjv(doc);

let env: TestEnv;
let host: Host;
let baseUrl = '';
let direct: FastifyInstance;
let directUrl = '';

test.before(async () => {
  env = await createTestEnv('rate_limit');
  // behind a (pretend) proxy on this machine: its X-Forwarded-For tells the clients apart
  host = await startHost(
    env.config({ PORT: '0', ORDER_RATE_LIMIT_MAX: String(LIMIT), ORDER_RATE_LIMIT_WINDOW_MS: '60000', TRUST_PROXY: 'loopback' }),
    [apiService({ onListening: (url) => { baseUrl = url; } })],
  );
  // no proxy trusted: the connection's address is the client, whatever the header says
  direct = await createHttpServer({
    doc,
    log: createLogger({ logLevel: 'silent' }),
    rateLimits: [{ method: 'POST', url: '/orders', max: 1, windowMs: 60_000, what: 'orders' }],
  });
  direct.post('/orders', async (_request, reply) => reply.status(202).send({ orderId: randomUUID(), status: 'ACCEPTED' }));
  directUrl = await listen(direct, 0, '127.0.0.1');
});

test.after(async () => {
  await direct?.close();
  await host?.stop();
  await env?.cleanup();
});

const anOrder = () => ({ customerId: randomUUID(), email: 'jane.doe@example.com', items: [{ productId: 'A1216', quantity: 1 }] });

function postOrder(url: string, client: string): Promise<Response> {
  return fetch(`${url}/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': client },
    body: JSON.stringify(anOrder()),
  });
}

test(`the order after ${LIMIT} from one client within the window is a 429 problem+json naming the limit`, async () => {
  for (let i = 1; i <= LIMIT; i++) {
    const res = await postOrder(baseUrl, '203.0.113.7');
    assert.is(res.status, 202, `order ${i} is accepted`);
    assert.is(res.headers.get('ratelimit-limit'), String(LIMIT));
    assert.is(res.headers.get('ratelimit-remaining'), String(LIMIT - i));
    await res.text();
  }
  const res = await postOrder(baseUrl, '203.0.113.7');
  assert.is(res.status, 429);
  assert.is(res.headers.get('content-type')?.split(';')[0], 'application/problem+json');
  const retryAfter = Number(res.headers.get('retry-after'));
  assert.ok(retryAfter > 0 && retryAfter <= 60, `Retry-After ${retryAfter}`);
  assert.is(res.headers.get('ratelimit-limit'), String(LIMIT));
  assert.is(res.headers.get('ratelimit-remaining'), '0');
  assert.ok(res.headers.get('ratelimit-reset'));
  const body = await res.json() as Record<string, any>;
  assert.is(body.type, 'https://shop.example/problems/rate-limited');
  assert.is(body.status, 429);
  assert.is(body.instance, '/orders');
  assert.is(body.limit, LIMIT);
  assert.is(body.windowSeconds, 60);
  assert.is(body.retryAfterSeconds, retryAfter);
  assert.match(body.detail, `At most ${LIMIT} orders per 60 seconds from one client`);
  const validate = validatorFor(ajv, 'RateLimitProblem');
  assert.ok(validate(body), `matches openapi.yaml: ${ajv.errorsText(validate.errors)}`);
});

test('another client is not limited by the first one', async () => {
  const res = await postOrder(baseUrl, '198.51.100.23');
  assert.is(res.status, 202);
  assert.is(res.headers.get('ratelimit-remaining'), String(LIMIT - 1));
  await res.text();
});

test('only placing orders is limited: reads, probes, metrics and docs are not', async () => {
  for (const path of ['/products', '/health', '/ready', '/metrics', '/openapi.yaml', `/orders/${randomUUID()}`]) {
    for (let i = 0; i < LIMIT + 2; i++) {
      const res = await fetch(`${baseUrl}${path}`, { headers: { 'x-forwarded-for': '203.0.113.7' } });
      await res.text();
      assert.ok(res.status !== 429, `${path} answered 429`);
      assert.is(res.headers.get('ratelimit-limit'), null, `${path} carries no rate limit`);
    }
  }
});

test('without TRUST_PROXY a client cannot escape its limit by sending X-Forwarded-For', async () => {
  const first = await postOrder(directUrl, '192.0.2.1');
  assert.is(first.status, 202);
  await first.text();
  const second = await postOrder(directUrl, '192.0.2.2');
  assert.is(second.status, 429, 'the header is ignored: the same connection address is the same client');
  const body = await second.json() as Record<string, any>;
  assert.is(body.limit, 1);
});

test.run();
