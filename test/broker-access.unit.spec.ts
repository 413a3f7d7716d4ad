// What each service may do on the broker, as derived from the contract, and who a
// message's sender is: the pure rules behind the broker's users and the consumers'
// sender check (test/broker-identity.int.spec.ts runs them against RabbitMQ).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkSender, ForgedSenderError, permissionsOf, producersOf, senderOf } from '../runtime/broker-access.ts';
import { serviceAmqpUrl, vhostOf } from '../runtime/broker-identity.ts';
import { ConfigError, loadConfig } from '../runtime/config.ts';
import { Header } from '../runtime/headers.ts';
import { queuePlanFor } from '../runtime/topology.ts';

const matches = (pattern: string, name: string) => new RegExp(pattern).test(name);

test('producers come from the contract: PaymentSucceeded only from payment; LogEmitted from every service that logs', () => {
  assert.equal(producersOf('PaymentSucceeded'), ['payment']);
  assert.equal(producersOf('OrderCreated'), ['api']);
  const loggers = producersOf('LogEmitted');
  assert.ok(loggers.includes('api') && loggers.includes('payment'));
  assert.not.ok(loggers.includes('log-persistence'), 'log-persistence sends no logs (it would feed itself)');
  assert.equal(producersOf('NoSuchThing'), []);
});

test('given payment, it may write to the exchanges and routing keys of what it sends, and into its own parking exchange only', () => {
  const p = permissionsOf('payment', queuePlanFor('payment', [100, 300]));
  assert.is(p.configure, '^$');
  for (const allowed of ['shop.payments', 'shop.logs', 'payment.parking']) assert.ok(matches(p.write, allowed), allowed);
  for (const denied of ['shop.orders', 'shop.invoices', 'amq.default', '', 'invoice.parking', 'payment', 'shop.paymentsX']) assert.not.ok(matches(p.write, denied), denied);
  assert.equal(p.topics.find((t) => t.exchange === 'shop.payments')?.write, '^(payment\\.failed|payment\\.succeeded)$');
  assert.equal(p.topics.find((t) => t.exchange === 'shop.logs')?.write, '^(log\\.emitted)$');
  assert.ok(matches(p.read, 'payment') && matches(p.read, 'payment.dlq'));
  for (const denied of ['invoice', 'payment.wait.100', 'payment.dlqx']) assert.not.ok(matches(p.read, denied), denied);
});

test('given store-order, its topic permission on shop.orders lets it send its own events, not the api\'s OrderCreated', () => {
  const t = permissionsOf('store-order', queuePlanFor('store-order')).topics.find((x) => x.exchange === 'shop.orders')!;
  for (const key of ['order.persisted', 'order.rejected']) assert.ok(matches(t.write, key), key);
  assert.not.ok(matches(t.write, 'order.created'));
  assert.not.ok(matches(t.write, 'order.persisted.extra'));
});

test('given the api, which has no queue, it reads nothing and parks nothing', () => {
  const p = permissionsOf('api', undefined);
  assert.is(p.read, '^$');
  assert.ok(matches(p.write, 'shop.orders'));
  assert.not.ok(matches(p.write, 'api.parking'));
});

test('the sender is the user-id; a copy the service parked itself names the sender it came with', () => {
  assert.is(senderOf('payment', {}, 'invoice'), 'payment');
  assert.is(senderOf(undefined, {}, 'invoice'), undefined);
  assert.is(senderOf('invoice', { [Header.sender]: 'payment' }, 'invoice'), 'payment');
  // another service cannot vouch: only the consuming service's own copies count
  assert.is(senderOf('store-order', { [Header.sender]: 'payment' }, 'invoice'), 'store-order');
});

test('checkSender passes the contract\'s producer and dead-letters anyone else with the reason', () => {
  checkSender('PaymentSucceeded', 'payment', 'invoice');
  const forged = (() => { try { checkSender('PaymentSucceeded', 'store-order', 'invoice'); } catch (e) { return e; } })();
  assert.instance(forged, ForgedSenderError);
  assert.match((forged as Error).message, 'PaymentSucceeded arrived at invoice from the broker user "store-order", but the contract lets only payment send it');
  assert.throws(() => checkSender('PaymentSucceeded', undefined, 'invoice'), /without a user-id: its sender is unknown/);
});

test('a service connects as its own user: the local password on loopback, AMQP_PASSWORD_<SERVICE> elsewhere, or no start', () => {
  const local = loadConfig({ AMQP_URL: 'amqp://admin:secret@127.0.0.1:5672/shop' });
  assert.is(serviceAmqpUrl(local, 'order-timeline'), 'amqp://order-timeline:order-timeline-local-only@127.0.0.1:5672/shop');
  const remote = loadConfig({ AMQP_URL: 'amqp://rabbitmq:5672', AMQP_PASSWORD_ORDER_TIMELINE: 'p@ss w' });
  assert.is(serviceAmqpUrl(remote, 'order-timeline'), 'amqp://order-timeline:p%40ss%20w@rabbitmq:5672');
  assert.throws(() => serviceAmqpUrl(remote, 'payment'), (e: Error) => e instanceof ConfigError && /AMQP_PASSWORD_PAYMENT is not set/.test(e.message));
  assert.throws(() => loadConfig({ AMQP_PASSWORD_SHIPPING: 'x' }), /AMQP_PASSWORD_SHIPPING names no service of asyncapi.yaml/);
  assert.is(vhostOf('amqp://h:5672'), '/');
  assert.is(vhostOf('amqp://h:5672/t_1%2Fx'), 't_1/x');
});

test('the management API defaults to the broker\'s host as AMQP_URL\'s user', () => {
  assert.is(loadConfig({ AMQP_URL: 'amqp://admin:s3cret@rabbit.internal:5672/shop' }).managementUrl, 'http://admin:s3cret@rabbit.internal:15672/');
  assert.is(loadConfig({ RABBITMQ_MANAGEMENT_URL: 'https://mq.example:443' }).managementUrl, 'https://mq.example:443');
  assert.is(loadConfig({}).brokerSetup, true);
  assert.is(loadConfig({ BROKER_SETUP: 'off' }).brokerSetup, false);
  assert.throws(() => loadConfig({ BROKER_SETUP: 'maybe' }), /BROKER_SETUP=maybe must be one of on, off/);
});

test.run();
