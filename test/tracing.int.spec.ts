// test-lock: all-services (every service at once: two such files together come near PostgreSQL's 100 connections)
// One order is one trace: from its HTTP request (continuing the client's traceparent)
// through every service that handles its events to the e-mails sent about it, with
// parent/child links that follow the event chain, and trace_id on the handlers' log lines.
// Log records go out in batches of many orders (runtime/log-batcher.ts), so their
// LogEmitted belongs to no one order's trace: a stored record leads to the trace through
// the message it is about, which its handling span names.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { createTestEnv, eventually, sql, type TestEnv } from './support/env.ts';
import { addProduct } from './support/shop.ts';
import { freePort, startSmtpServer, type TestSmtpServer } from './support/smtp.ts';
import { startHost, type Host } from '../runtime/host.ts';
import { capturingLogger } from './support/log-lines.ts';
import { registerTracing } from '../runtime/tracing.ts';
import { selectServices } from '../handlers/index.ts';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const CLIENT_SPAN_ID = '00f067aa0ba902b7';

let env: TestEnv;
let smtp: TestSmtpServer;
let host: Host;
let apiUrl: string;
let stopTracing: () => Promise<void>;
const exporter = new InMemorySpanExporter();
const { log, lines } = capturingLogger({ logLevel: 'info' }, { app: 'tracing-test' });

test.before(async () => {
  env = await createTestEnv('tracing');
  smtp = await startSmtpServer();
  stopTracing = registerTracing([new SimpleSpanProcessor({ exporter })], 'tracing-test');
  const port = await freePort();
  const config = env.config({ PORT: String(port), SMTP_URL: smtp.url, PAYMENT_FAILURE_RATE: '0', PAYMENT_LATENCY_MS: '2', LOG_LEVEL: 'info' });
  host = await startHost(config, await selectServices('all'), { log });
  apiUrl = `http://127.0.0.1:${port}`;
});

test.after(async () => {
  await host?.stop();
  await stopTracing?.();
  await smtp?.close();
  await env?.cleanup();
});

const idOf = (s: ReadableSpan) => s.spanContext().spanId;
const parentOf = (s: ReadableSpan) => s.parentSpanContext?.spanId;

/** True when `descendant` is `ancestor` or below it, following parent span ids among `spans`. */
function descends(descendant: ReadableSpan, ancestor: ReadableSpan, spans: readonly ReadableSpan[]): boolean {
  const byId = new Map(spans.map((s) => [idOf(s), s]));
  for (let s: ReadableSpan | undefined = descendant; s; s = byId.get(parentOf(s) ?? '')) if (idOf(s) === idOf(ancestor)) return true;
  return false;
}

test('one order is one trace from the request that carried a traceparent through every service to its e-mails', async () => {
  await addProduct(env.databaseUrl, 'TRACE1', 5, 1999);
  const email = 'traced@example.com';
  const res = await fetch(`${apiUrl}/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', traceparent: `00-${TRACE_ID}-${CLIENT_SPAN_ID}-01` },
    body: JSON.stringify({ customerId: '1c9d4e2a-6b3f-4a8e-9f1d-2e7c5b8a4d30', email, items: [{ productId: 'TRACE1', quantity: 1 }] }),
  });
  assert.is(res.status, 202);
  const { orderId } = await res.json() as { orderId: string };
  await eventually(async () => smtp.to(email).length >= 2, 'the order confirmation and the invoice e-mails', 30_000);

  const named = (name: string) => eventually(async () => exporter.getFinishedSpans().find((s) => s.name === name), `a span ${name}`);
  const request = await named('POST /orders');
  const storeOrder = await named('store-order handle OrderCreated');
  const payment = await eventually(async () => exporter.getFinishedSpans().find((s) => s.name.startsWith('payment handle')), 'a payment span');
  const invoice = await eventually(async () => exporter.getFinishedSpans().find((s) => s.name.startsWith('invoice handle')), 'an invoice span');
  const invoiceEmail = await named('invoice-email handle InvoiceCreated');
  const confirmationEmail = await eventually(async () => exporter.getFinishedSpans().find((s) => s.name.startsWith('order-confirmation-email handle')), 'an order-confirmation-email span');
  const timeline = await eventually(async () => exporter.getFinishedSpans().find((s) => s.name.startsWith('order-timeline handle')), 'an order-timeline span');
  const invoiceSend = await named('e-mail send invoice');
  const confirmationSend = await named('e-mail send order-confirmation');

  const spans = exporter.getFinishedSpans();
  // a log batch is its own root: its handling names the order when all its records are about it, but is in no request's trace
  const ofOrder = spans.filter((s) => s.attributes['order.id'] === orderId && s.name !== 'log-persistence handle LogEmitted');
  assert.ok(ofOrder.length >= 6, `the order's spans (got ${ofOrder.map((s) => s.name).join(', ')})`);
  for (const s of [...ofOrder, request, invoiceSend, confirmationSend]) {
    assert.is(s.spanContext().traceId, TRACE_ID, `${s.name} is in the incoming trace`);
  }
  assert.is(parentOf(request), CLIENT_SPAN_ID, 'the request continues the client\'s span');
  assert.is(parentOf(storeOrder), idOf(request), 'OrderCreated is handled as a child of the request');
  assert.ok(descends(payment, storeOrder, spans), 'payment follows store-order');
  assert.ok(descends(invoice, payment, spans), 'invoice follows payment');
  assert.ok(descends(invoiceEmail, invoice, spans), 'the invoice e-mail is queued after the invoice');
  assert.ok(descends(invoiceSend, invoiceEmail, spans), 'the invoice e-mail is sent in the trace of its queuing');
  assert.ok(descends(confirmationSend, confirmationEmail, spans), 'the confirmation is sent in the trace of its queuing');
  assert.ok(descends(timeline, request, spans), 'the timeline\'s handling is in the trace');
  const stored = await eventually(async () => {
    const rows = await sql<{ about_message_id: string }>(env.databaseUrl,
      `select about_message_id from logs.log_records where service = 'store-order' and order_id = $1 and message = 'handled OrderCreated'`, [orderId]);
    return rows.length ? rows : undefined;
  }, 'store-order\'s stored record of handling the OrderCreated');
  assert.equal(stored.map((r) => r.about_message_id), [storeOrder.attributes['messaging.message.id']], 'the stored log record names the message its span handled');
  for (const s of [storeOrder, payment, invoice]) {
    assert.is(s.attributes['messaging.system'], 'rabbitmq');
    assert.ok(s.attributes['messaging.message.id'], `${s.name} names its message`);
  }

  const handled = lines.filter((l) => l.msg === 'handled' && l.correlationId === orderId && l.service !== 'log-persistence');
  assert.ok(handled.length >= 4, `'handled' lines of the order (got ${handled.length})`);
  for (const l of handled) assert.is(l.trace_id, TRACE_ID, `${String(l.service)}'s 'handled' line carries the trace id`);
  const storeOrderLine = handled.find((l) => l.service === 'store-order');
  assert.is(storeOrderLine?.span_id, idOf(storeOrder), 'a line carries the span it was written in');
  const requestLine = lines.find((l) => l.msg === 'request completed' && l.method === 'POST');
  assert.is(requestLine?.trace_id, TRACE_ID, 'the POST\'s "request completed" line carries the trace id');
  const sentLine = await eventually(async () => lines.find((l) => l.msg === 'e-mail sent' && l.kind === 'invoice'), 'the invoice\'s "e-mail sent" line');
  assert.is(sentLine.trace_id, TRACE_ID, 'the e-mail\'s send is logged in the order\'s trace');
  assert.is(sentLine.span_id, idOf(invoiceSend));
});

test('a request refused before its handler runs (a 400) is logged in the client\'s trace too', async () => {
  const traceId = '0af7651916cd43dd8448eb211c80319c';
  const res = await fetch(`${apiUrl}/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', traceparent: `00-${traceId}-${CLIENT_SPAN_ID}-01` },
    body: JSON.stringify({ customerId: 'not-a-uuid', email: 'x@example.com', items: [] }),
  });
  assert.is(res.status, 400);
  const line = await eventually(async () => lines.find((l) => l.msg === 'request completed' && l.statusCode === 400), 'the 400\'s request line');
  assert.is(line.trace_id, traceId);
});

test.run();
