// test-time-limit: 420s
// The contract drives the code: a payload change in asyncapi.yaml, regenerated,
// shows up as a type error in the handler that no longer fits, and a new event with
// a new service is the spec, `npm run generate`, and exactly the files the compiler
// then names (checked on a copy of the project, so the real tree is never touched).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
let copy = '';

test.before(async () => {
  copy = await mkdtemp(path.join(tmpdir(), 'contract-change-'));
  const skip = new Set(['node_modules', '.git', '__transpiled']);
  // templates/.components-*: another test file's scratch, which it may remove while this copies
  const scratch = (name: string) => name.startsWith('.components-');
  await cp(root, copy, { recursive: true, filter: (src) => !skip.has(path.basename(src)) && !scratch(path.basename(src)) });
  await symlink(path.join(root, 'node_modules'), path.join(copy, 'node_modules'), 'dir');
});

test.after(async () => {
  await rm(copy, { recursive: true, force: true });
});

const generate = () => spawnSync(process.execPath, ['tools/generate.ts'], { cwd: copy, encoding: 'utf8' });
// Incremental within the copy: a later check rechecks only what the edits touched, not
// the whole project again (full checks were most of this file's time).
const typecheck = (project = 'tsconfig.json') => spawnSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '--noEmit', '-p', project, '--incremental', '--tsBuildInfoFile', `${project}.tsbuildinfo`], { cwd: copy, encoding: 'utf8' });
/** The files the type check names, as the README tells a newcomer to read them. */
const filesNamed = (out: string) => [...new Set([...out.matchAll(/^([^\s(]+\.ts)\(\d+,\d+\): error/gm)].map((m) => m[1]))].sort();

test('renaming a PaymentSucceeded field and regenerating breaks the payment handler at compile time', async () => {
  const specPath = path.join(copy, 'asyncapi.yaml');
  const spec = await readFile(specPath, 'utf8');
  const start = spec.indexOf('    PaymentSucceededPayload:');
  const end = spec.indexOf('    PaymentFailedPayload:');
  const block = spec.slice(start, end);
  const renamed = block.replaceAll('paymentId', 'transactionId');
  assert.ok(start > 0 && end > start && renamed !== block, 'the spec edit applied');
  await writeFile(specPath, spec.slice(0, start) + renamed + spec.slice(end));

  const generated = generate();
  assert.is(generated.status, 0, generated.stderr);
  // The handler and what it imports, not the whole project: that is the claim here.
  await writeFile(path.join(copy, 'tsconfig.payment.json'), JSON.stringify({ extends: './tsconfig.json', include: [], files: ['handlers/payment/onOrderPersisted.ts'] }));
  const tsc = typecheck('tsconfig.payment.json');
  assert.is.not(tsc.status, 0, 'the type check fails');
  assert.match(tsc.stdout, /handlers\/payment\/onOrderPersisted\.ts\(\d+,\d+\): error TS\d+:.*paymentId/);
});


test('adding OrderShipped, sent by a new shipping service and recorded by order-timeline: the compiler names exactly the files to change', async () => {
  const specPath = path.join(copy, 'asyncapi.yaml');
  const spec = parseDocument(await readFile(path.join(root, 'asyncapi.yaml'), 'utf8')); // the real contract, not the previous test's edit
  const ref = (to: string) => ({ $ref: to });
  spec.setIn(['x-services', 'shipping'], { queue: 'shipping', description: 'Ships paid orders.' });
  spec.setIn(['channels', 'orderShipped'], {
    address: 'order.shipped',
    title: 'Order shipped',
    messages: { OrderShipped: ref('#/components/messages/OrderShipped') },
    bindings: { amqp: { is: 'routingKey', exchange: { name: 'shop.orders', type: 'topic', durable: true, autoDelete: false, vhost: '/' }, bindingVersion: '0.3.0' } },
  });
  spec.setIn(['operations', 'shipping_onPaymentSucceeded'], {
    action: 'receive', 'x-service': 'shipping', summary: 'Ship the paid order.',
    channel: ref('#/channels/paymentSucceeded'), messages: [ref('#/channels/paymentSucceeded/messages/PaymentSucceeded')],
    bindings: { amqp: { ack: true, bindingVersion: '0.3.0' } },
  });
  spec.setIn(['operations', 'shipping_sendOrderShipped'], {
    action: 'send', 'x-service': 'shipping',
    channel: ref('#/channels/orderShipped'), messages: [ref('#/channels/orderShipped/messages/OrderShipped')],
    bindings: { amqp: { deliveryMode: 2, mandatory: true, bindingVersion: '0.3.0' } },
  });
  spec.setIn(['operations', 'orderTimeline_onOrderShipped'], {
    action: 'receive', 'x-service': 'order-timeline',
    channel: ref('#/channels/orderShipped'), messages: [ref('#/channels/orderShipped/messages/OrderShipped')],
    bindings: { amqp: { ack: true, bindingVersion: '0.3.0' } },
  });
  spec.setIn(['components', 'messages', 'OrderShipped'], {
    name: 'OrderShipped', title: 'Order shipped', summary: 'A paid order left the warehouse.',
    correlationId: ref('#/components/correlationIds/orderId'),
    traits: [ref('#/components/messageTraits/envelope')],
    payload: ref('#/components/schemas/OrderShippedPayload'),
    bindings: { amqp: { messageType: 'OrderShipped', contentEncoding: 'utf-8', bindingVersion: '0.3.0' } },
    examples: [{ name: 'shipped', headers: { 'causation-id': '2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e', traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-f60718293a4b5c6d-01' }, payload: { orderId: '7f1c2b9e-3d4a-4f5b-8c6d-9e0f1a2b3c4d', shippedAt: '2026-11-25T10:00:00.000Z' } }],
  });
  spec.setIn(['components', 'schemas', 'OrderShippedPayload'], {
    type: 'object', additionalProperties: false, required: ['orderId', 'shippedAt'],
    properties: { orderId: ref('#/components/schemas/OrderId'), shippedAt: ref('#/components/schemas/Timestamp') },
  });
  await writeFile(specPath, String(spec));

  const generated = generate();
  assert.is(generated.status, 0, generated.stderr);
  assert.match(await readFile(path.join(copy, 'docker-compose.yml'), 'utf8'), /^ {2}shipping:\n {4}<<: \*app\n/m, 'compose runs the new service');
  const before = typecheck();
  assert.is.not(before.status, 0, 'the type check fails until the code follows the contract');
  assert.equal(filesNamed(before.stdout), ['handlers/index.ts', 'handlers/order-timeline/index.ts'], before.stdout);

  // What the README's "Adding an event" says to do, and nothing else: the new service's
  // module and handler (from the generated starter), order-timeline's new handler, and
  // the two files the compiler named.
  await mkdir(path.join(copy, 'handlers/shipping'));
  await writeFile(path.join(copy, 'handlers/shipping/onPaymentSucceeded.ts'), `import { orderShipped, type ShippingHandlers } from '../../generated/services/shipping.ts';

export const onPaymentSucceeded: ShippingHandlers['onPaymentSucceeded'] = async (payment) => [orderShipped({ orderId: payment.orderId, shippedAt: new Date().toISOString() })];
`);
  await writeFile(path.join(copy, 'handlers/shipping/index.ts'), `import { defineShipping } from '../../generated/services/shipping.ts';
import { onPaymentSucceeded } from './onPaymentSucceeded.ts';

export const shipping = defineShipping({ handlers: { onPaymentSucceeded } });
`);
  await writeFile(path.join(copy, 'handlers/order-timeline/onOrderShipped.ts'), `import type { OrderShipped } from '../../generated/types.ts';
import type { OrderTimelineHandlers } from '../../generated/services/order-timeline.ts';
import { recordedAt } from './record.ts';

export const onOrderShipped: OrderTimelineHandlers['onOrderShipped'] = recordedAt('OrderShipped', (event: OrderShipped) => event.shippedAt);
`);
  const loaders = path.join(copy, 'handlers/index.ts');
  await writeFile(loaders, (await readFile(loaders, 'utf8')).replace(
    /^(\s*)payment: (.*)$/m,
    "$1payment: $2\n$1shipping: async () => (await import('./shipping/index.ts')).shipping,",
  ));
  const timeline = path.join(copy, 'handlers/order-timeline/index.ts');
  await writeFile(timeline, (await readFile(timeline, 'utf8'))
    .replace("import { onOrderRejected } from './onOrderRejected.ts';", "import { onOrderRejected } from './onOrderRejected.ts';\nimport { onOrderShipped } from './onOrderShipped.ts';")
    .replace('onOrderRejected, onPaymentFailed', 'onOrderRejected, onOrderShipped, onPaymentFailed'));

  const after = typecheck();
  assert.is(after.status, 0, `the project compiles once those files follow the contract:\n${after.stdout}`);
});

test.run();
