// Bad input costs little (issue 7), against the real PostgreSQL and RabbitMQ: a huge
// invalid order is refused by one cheap check with a short answer, error lists are
// capped, an oversized body is 413, a `urn:uuid:` id is 400 (PostgreSQL refuses that
// form), data the database refuses (SQLSTATE class 22) is a 400, never a 500, and the
// generated AMQP validators report a bounded number of errors.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { messages } from '../generated/registry.ts';
import { apiService } from '../handlers/api/index.ts';
import { openDatabase, type Database } from '../runtime/db.ts';
import { startHost, type Host } from '../runtime/host.ts';
import { createLogger } from '../runtime/logger.ts';
import { loadOpenApi, openApiAjv, validatorFor } from '../runtime/http/openapi.ts';
import { createHttpServer, listen } from '../runtime/http/server.ts';
import { FULL_REPORT_LIMITS, MAX_REPORTED_ERRORS, isSmall } from '../runtime/http/validation.ts';
import { createTestEnv, sql, type TestEnv } from './support/env.ts';

type Obj = Record<string, any>;

const doc = loadOpenApi();
const ajv = openApiAjv(doc);

let env: TestEnv;
let host: Host;
let baseUrl = '';
let db: Database;
let bare: FastifyInstance;
let bareUrl = '';

test.before(async () => {
  env = await createTestEnv('bad_input');
  host = await startHost(env.config({ PORT: '0' }), [apiService({ onListening: (url) => { baseUrl = url; } })]);
  // a contract server with one route outside the contract that sends bad data to the database
  db = await openDatabase({ url: env.databaseUrl, poolMax: 2 });
  bare = await createHttpServer({ doc, log: createLogger({ logLevel: 'silent' }) });
  bare.get('/refused/:kind', async (request) => {
    const query: Record<string, string> = {
      uuid: `select 'urn:uuid:${randomUUID()}'::uuid`, // 22P02 invalid_text_representation
      int: 'select 2147483648::int4', // 22003 numeric_value_out_of_range
      length: `do $$ declare v varchar(3); begin v := 'abcdef'; end $$`, // 22001 string_data_right_truncation
    };
    await db.em.fork().execute(query[(request.params as { kind: string }).kind]);
    return { status: 'ok' };
  });
  bareUrl = await listen(bare, 0, '127.0.0.1');
});

test.after(async () => {
  await bare?.close();
  await db?.close(true);
  await host?.stop();
  await env?.cleanup();
});

interface Answer { status: number; mediaType: string; text: string; body: any }

async function call(url: string, init: RequestInit = {}): Promise<Answer> {
  const res = await fetch(url, init);
  const text = await res.text();
  const mediaType = (res.headers.get('content-type') ?? '').split(';')[0].trim();
  return { status: res.status, mediaType, text, body: mediaType.endsWith('json') ? JSON.parse(text) : text };
}

const post = (body: unknown) => call(`${baseUrl}/orders`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: typeof body === 'string' ? body : JSON.stringify(body),
});

const anOrder = (overrides: Obj = {}): Obj => ({
  customerId: randomUUID(),
  email: 'jane.doe@example.com',
  items: [{ productId: 'A1215', quantity: 1 }],
  ...overrides,
});

/** A 400 ValidationProblem (as openapi.yaml declares it); returns the fields it names. */
function validationProblem(answer: Answer, kind = 'validation-error'): string[] {
  assert.is(answer.status, 400, answer.text);
  assert.is(answer.mediaType, 'application/problem+json');
  const validate = validatorFor(ajv, 'ValidationProblem');
  const body: Obj = answer.body;
  assert.ok(validate(body), `not a ValidationProblem: ${ajv.errorsText(validate.errors)}\n${answer.text}`);
  assert.is(body.type, `https://shop.example/problems/${kind}`);
  return (body.errors as { field: string }[]).map((e) => e.field);
}

const ordersStored = async () => (await sql<{ n: number }>(env.databaseUrl, 'select count(*)::int as n from api.order_requests'))[0].n;

// --- HTTP ------------------------------------------------------------------------------

test('a 63 KB body of 21,000 empty items is refused by the maxItems check: one error, a short answer', async () => {
  const body = JSON.stringify(anOrder({ items: Array.from({ length: 21_000 }, () => ({})) }));
  assert.ok(body.length > 60_000 && body.length < 64 * 1024, `body is ${body.length} bytes`);
  const started = performance.now();
  const answer = await post(body);
  const ms = performance.now() - started;
  console.log(`  21,000 empty items: ${answer.status} in ${ms.toFixed(0)} ms, ${answer.text.length} bytes`);
  assert.equal(validationProblem(answer), ['/items']);
  assert.is(answer.body.truncated, true);
  assert.match(answer.body.errors[0].message, /more than 50 items/);
  assert.ok(answer.text.length < 1024, `answer is ${answer.text.length} bytes`);
});

test('many invalid fields in a small body: at most 10 listed, each naming its field, and truncated', async () => {
  const items = Array.from({ length: 50 }, () => ({ productId: 'lower-case', quantity: 0 }));
  const answer = await post(anOrder({ customerId: 'nope', email: 'nope', items }));
  const fields = validationProblem(answer);
  assert.is(fields.length, MAX_REPORTED_ERRORS);
  assert.is(answer.body.truncated, true);
  assert.ok(fields.includes('/customerId') && fields.includes('/email'), fields.join(', '));
  for (const field of fields) assert.match(field, /^\/(customerId|email|items\/\d+\/(productId|quantity))$/);
  assert.match(answer.body.detail, /may be more/);

  // a few errors are all listed, without the flag
  const two = await post(anOrder({ customerId: '12345', items: [{ productId: 'A1215', quantity: 1.5 }] }));
  assert.equal(validationProblem(two).sort(), ['/customerId', '/items/0/quantity']);
  assert.is(two.body.truncated, undefined);
});

test('a body over 64 KiB is 413 problem+json', async () => {
  const answer = await post(anOrder({ items: Array.from({ length: 30_000 }, () => ({})) }));
  assert.is(answer.status, 413, answer.text);
  assert.is(answer.mediaType, 'application/problem+json');
  assert.is(answer.body.type, 'https://shop.example/problems/body-too-large');
  const validate = validatorFor(ajv, 'Problem');
  assert.ok(validate(answer.body), ajv.errorsText(validate.errors));
});

test('a urn:uuid: id is 400 naming the field, in the path and in the body, and nothing is stored', async () => {
  const before = await ordersStored();
  const urn = `urn:uuid:${randomUUID()}`;
  const get = await call(`${baseUrl}/orders/${urn}`);
  assert.equal([...new Set(validationProblem(get))], ['/orderId']);

  const created = await post(anOrder({ customerId: urn }));
  assert.equal([...new Set(validationProblem(created))], ['/customerId']);
  assert.match(created.body.errors[0].message, /uuid|characters/);

  // the plain form still works
  const plain = await call(`${baseUrl}/orders/${randomUUID()}`);
  assert.is(plain.status, 404, plain.text);
  assert.is(await ordersStored(), before);
});

test('data the database refuses (SQLSTATE class 22) is a 400 problem, not a 500', async () => {
  for (const [kind, refused] of [['uuid', /invalid input syntax for type uuid/], ['int', /out of range/], ['length', /too long/]] as const) {
    const answer = await call(`${bareUrl}/refused/${kind}`);
    assert.equal(validationProblem(answer), [''], kind);
    assert.match(answer.body.errors[0].message, refused, kind);
    assert.match(answer.body.detail, /refused as data/, kind);
  }
});

// --- AMQP validators generated from asyncapi.yaml ----------------------------------------

const orderCreated = () => ({
  orderId: randomUUID(),
  customerId: randomUUID(),
  email: 'jane.doe@example.com',
  items: [{ productId: 'A1215', quantity: 1 }],
  createdAt: new Date().toISOString(),
});

test('a generated validator reports at most 10 errors, each naming its field', () => {
  const { validate } = messages.OrderCreated;
  assert.ok(validate(orderCreated()), JSON.stringify(validate.errors));
  const bad = { ...orderCreated(), orderId: 'x', customerId: 'y', email: 'z', createdAt: 'never',
    items: Array.from({ length: 50 }, () => ({ productId: '?', quantity: -1 })) };
  assert.not.ok(validate(bad));
  assert.is(validate.errors?.length, MAX_REPORTED_ERRORS);
  assert.is(validate.truncated, true);
  for (const e of validate.errors!) assert.match(e.instancePath, /^\/(orderId|customerId|email|createdAt|items\/\d+\/(productId|quantity))$/);

  // a couple of errors: all of them, not truncated
  assert.not.ok(validate({ ...orderCreated(), orderId: 'x', email: 'z' }));
  assert.equal(validate.errors!.map((e) => e.instancePath).sort(), ['/email', '/orderId']);
  assert.is(validate.truncated, false);
});

test('a generated validator answers a huge message with its first error, fast', () => {
  const { validate } = messages.OrderCreated;
  const huge = { ...orderCreated(), items: Array.from({ length: 21_000 }, () => ({})) };
  const started = performance.now();
  assert.not.ok(validate(huge));
  console.log(`  OrderCreated with 21,000 empty items: ${(performance.now() - started).toFixed(1)} ms`);
  assert.equal(validate.errors!.map((e) => `${e.instancePath} ${e.keyword}`), ['/items maxItems']);
  assert.is(validate.truncated, true);
});

test('a generated validator refuses a urn:uuid: id, naming the field', () => {
  const { validate } = messages.OrderCreated;
  assert.not.ok(validate({ ...orderCreated(), orderId: `urn:uuid:${randomUUID()}` }));
  assert.equal(validate.errors!.map((e) => `${e.instancePath} ${e.keyword}`), ['/orderId format']);
});

test('the size check stops at its limits', () => {
  assert.ok(isSmall(orderCreated()));
  assert.not.ok(isSmall(Array.from({ length: FULL_REPORT_LIMITS.values + 1 }, () => 0)));
  assert.not.ok(isSmall({ a: 'x'.repeat(FULL_REPORT_LIMITS.stringLength + 1) }));
  assert.not.ok(isSmall(Array.from({ length: 20 }, () => 'x'.repeat(4000))));
});

test.run();
