// The event contract: every example passes its ahead-of-time validator, and
// broken copies of each example are rejected with the failing path in the error.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Parser, fromFile } from '@asyncapi/parser';
import { messages, examples, services } from '../generated/registry.ts';
import type { MessageName } from '../generated/types.ts';

const names = Object.keys(messages) as MessageName[];
type Json = Record<string, unknown>;
const clone = <T>(v: T): T => structuredClone(v);

function errorsOf(name: MessageName, payload: unknown): string[] {
  const { validate } = messages[name];
  if (validate(payload)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.keyword} ${e.message}`);
}

/** Finds the path of the first array of objects with a quantity (items, lines, restoredItems, problems). */
function quantityPath(payload: Json): [string, number] | undefined {
  for (const [key, value] of Object.entries(payload)) {
    if (Array.isArray(value) && value[0] && typeof value[0] === 'object') {
      const field = 'quantity' in value[0] ? 'quantity' : 'requested' in value[0] ? 'requested' : undefined;
      if (field) return [`/${key}/0/${field}`, 0];
    }
  }
  return undefined;
}

test('asyncapi.yaml parses with no errors and no warnings', async () => {
  const { document, diagnostics } = await fromFile(new Parser(), 'asyncapi.yaml').parse();
  assert.ok(document, 'document parsed');
  const serious = diagnostics.filter((d) => d.severity <= 1).map((d) => `${d.code} ${d.path.join('.')}: ${d.message}`);
  assert.equal(serious, []);
});

test('the contract declares every event of the design (a new event needs no change here)', () => {
  const design = ['InvoiceCreated', 'LogEmitted', 'OrderCancelled', 'OrderCreated', 'OrderPersisted', 'OrderRejected', 'PaymentFailed', 'PaymentSucceeded'];
  assert.equal(design.filter((event) => !(names as string[]).includes(event)), [], 'events of the design missing from the contract');
  for (const name of names) assert.ok(examples[name].length >= 1, `${name} has an example`);
});

test('every operation belongs to one service and every message is sent by someone', () => {
  const sent = new Set(Object.values(services).flatMap((s) => s.sends));
  for (const name of names) assert.ok(sent.has(name), `${name} is sent by a service`);
  assert.equal(services['payment'].receives.map((r) => r.message), ['OrderPersisted']);
  assert.equal([...services['payment'].sends], ['LogEmitted', 'PaymentFailed', 'PaymentSucceeded']);
});

test('LogEmitted is declared once for every service (x-every-service), not per service', async () => {
  const { document } = await fromFile(new Parser(), 'asyncapi.yaml').parse();
  const sendsLog = document!.operations().all().filter((op) => op.action() === 'send' && op.messages().all().some((m) => m.name() === 'LogEmitted'));
  assert.equal(sendsLog.map((op) => op.id()), ['everyService_sendLogEmitted']);
  const withLog = Object.values(services).filter((s) => s.sends.includes('LogEmitted')).map((s) => s.name).sort();
  const without = Object.keys(services).filter((n) => !withLog.includes(n)).sort();
  assert.equal(without, ['log-persistence', 'order-timeline'], 'the excepted services (log-persistence stores LogEmitted; order-timeline records events without logging each)');
  for (const name of withLog) assert.equal([...services[name].everyServiceSends], ['LogEmitted'], name);
});

for (const name of names) {
  test(`${name}: every example passes its validator`, () => {
    for (const example of examples[name]) assert.equal(errorsOf(name, example.payload), [], `${name}/${example.name}`);
  });

  test(`${name}: a missing required field is rejected, naming it`, () => {
    const payload = clone(examples[name][0].payload) as Json;
    const field = Object.keys(payload)[0];
    delete payload[field];
    const errors = errorsOf(name, payload);
    assert.ok(errors.some((e) => e.includes('required') && e.includes(field)), errors.join('; '));
  });

  test(`${name}: an extra field is rejected`, () => {
    const payload = { ...(clone(examples[name][0].payload) as Json), sneaky: true };
    const errors = errorsOf(name, payload);
    assert.ok(errors.some((e) => e.startsWith('/ additionalProperties')), errors.join('; '));
  });

  test(`${name}: a wrong format is rejected with its path`, () => {
    const payload = clone(examples[name][0].payload) as Json;
    // a formatted field of the payload, or of the first item of its list (LogEmitted's records)
    const formatted = ['orderId', 'messageId', 'email', 'at'];
    const list = Object.keys(payload).find((k) => Array.isArray(payload[k]) && typeof (payload[k] as Json[])[0] === 'object');
    const top = formatted.find((f) => f in payload);
    const [holder, path] = top || !list ? [payload, `/${top ?? 'at'}`] : [(payload[list] as Json[])[0]!, `/${list}/0/`];
    const field = formatted.find((f) => f in holder) ?? 'at';
    holder[field] = 'not-a-valid-value';
    const errors = errorsOf(name, payload);
    const at = path.endsWith('/') ? `${path}${field}` : path;
    assert.ok(errors.some((e) => e.startsWith(`${at} format`)), errors.join('; '));
  });

  const qp = quantityPath(examples[name][0].payload as Json);
  if (qp) {
    test(`${name}: a quantity of 0 is rejected at ${qp[0]}`, () => {
      const payload = clone(examples[name][0].payload) as Json;
      const [, key, , field] = qp[0].split('/');
      (payload[key] as Json[])[0][field] = 0;
      const errors = errorsOf(name, payload);
      assert.ok(errors.some((e) => e.startsWith(`${qp[0]} minimum`)), errors.join('; '));
    });
  }
}

test('money is integer minor units with a currency code', () => {
  const payload = clone(examples.OrderPersisted[0].payload) as Json;
  (payload.total as Json).amount = 194.97;
  (payload.total as Json).currency = 'eur';
  const errors = errorsOf('OrderPersisted', payload);
  assert.ok(errors.some((e) => e.startsWith('/total/amount type')), errors.join('; '));
  assert.ok(errors.some((e) => e.startsWith('/total/currency pattern')), errors.join('; '));
});

test.run();
