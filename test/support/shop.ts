// Checks on the services' own tables for the business-service tests: stock on hand,
// "this consumer has handled (committed) that message", "every event has been handled
// by all that receive it" and "every queued e-mail has been sent", which let a test
// assert that something did NOT happen without sleeping on a guess; and postOrder, an
// order posted as a client that honours Retry-After posts it.
import { consumers } from '../../generated/topology.ts';
import { eventually, sql } from './env.ts';

export async function stockOf(databaseUrl: string, productId: string): Promise<number> {
  const [row] = await sql<{ stock_on_hand: number }>(databaseUrl, 'select stock_on_hand from shop.products where product_id = $1', [productId]);
  if (!row) throw new Error(`no product ${productId}`);
  return row.stock_on_hand;
}

export async function addProduct(databaseUrl: string, productId: string, stock: number, priceAmount = 1000): Promise<void> {
  await sql(databaseUrl, `insert into shop.products (product_id, name, price_amount, currency, stock_on_hand) values ($1, $2, $3, 'EUR', $4)`,
    [productId, `Test product ${productId}`, priceAmount, stock]);
}

/** Resolves once the consumer's transaction for the message has committed (its inbox row exists). */
export async function handled(databaseUrl: string, consumer: string, messageId: string, timeoutMs = 20_000): Promise<void> {
  await eventually(async () => (await sql(databaseUrl, 'select 1 from runtime.inbox where consumer = $1 and message_id = $2', [consumer, messageId])).length === 1,
    `${consumer} to handle ${messageId}`, timeoutMs);
}

/** The events of a type the services wrote for an order (committed, whether or not relayed yet). */
export async function outboxOf(databaseUrl: string, orderId: string, type: string): Promise<{ message_id: string; payload: any }[]> {
  return sql(databaseUrl, 'select message_id, payload from runtime.outbox where correlation_id = $1 and message_type = $2 order by id', [orderId, type]);
}

/** (service, message type) for every message a service receives (generated/topology.ts). */
const receivers = consumers.flatMap((c) => c.bindings.map((b) => [c.service, b.message] as const));

/**
 * Resolves once every log record has gone into a LogEmitted batch and every event in the outbox
 * has been published and handled (committed) by every service that receives it: the pipeline
 * has nothing left that could still change a table. An event dead-lettered somewhere is never
 * handled there: such a run times out.
 */
export async function pipelineIdle(databaseUrl: string, timeoutMs = 60_000): Promise<void> {
  let last = '';
  await eventually(async () => {
    const [{ unbatched, unsent, unhandled }] = await sql<{ unbatched: number; unsent: number; unhandled: number }>(databaseUrl, `
      select (select count(*) from runtime.pending_log_records)::int as unbatched,
             (select count(*) from runtime.outbox where status <> 'sent')::int as unsent,
             (select count(*) from runtime.outbox o
                join unnest($1::text[], $2::text[]) as r(consumer, message_type) using (message_type)
               where not exists (select 1 from runtime.inbox i where i.consumer = r.consumer and i.message_id = o.message_id))::int as unhandled`,
    [receivers.map(([service]) => service), receivers.map(([, type]) => type)]);
    last = `${unbatched} log record(s) not yet batched, ${unsent} event(s) not yet published, ${unhandled} handling(s) to go`;
    return unbatched === 0 && unsent === 0 && unhandled === 0;
  }, 'every event published and handled by every service that receives it', timeoutMs, 250)
    .catch((err: Error) => { throw new Error(`${err.message}; ${last}`, { cause: err }); });
}

/**
 * Resolves once nothing written waits to go out: every log record batched into a
 * LogEmitted and every outbox row published (a row is marked sent only after the broker
 * confirmed it, so what was written is in the queues by then). For a test that runs only
 * some services, where pipelineIdle never holds.
 */
export async function everythingSent(databaseUrl: string, timeoutMs = 20_000): Promise<void> {
  await eventually(async () => {
    const [{ waiting }] = await sql<{ waiting: number }>(databaseUrl,
      `select (select count(*) from runtime.pending_log_records)::int + (select count(*) from runtime.outbox where status <> 'sent')::int as waiting`);
    if (waiting > 0) throw new Error(`${waiting} pending log record row(s) and unsent outbox row(s)`);
    return true;
  }, 'every log record batched and every outbox row published', timeoutMs);
}

/**
 * Resolves once no e-mail is pending: every one queued so far has been sent (or given up on).
 * A row is marked sent only once the SMTP server took its mail, and a sent row is never sent again.
 */
export async function emailsSent(databaseUrl: string, timeoutMs = 20_000): Promise<void> {
  await eventually(async () => (await sql(databaseUrl, `select 1 from mail.emails where status = 'pending'`)).length === 0, 'no e-mail pending', timeoutMs);
}

/**
 * POSTs an order as a well-behaved client does: while the api sheds load (503,
 * `Retry-After`: the pipeline is behind, nothing was stored) it waits as told and
 * posts the same request again, until the deadline. Resolves with the last answer;
 * the caller asserts its status. A test about the orders' fate, not about admission,
 * must not fail because a burst it made itself was briefly refused.
 */
export async function postOrder(apiUrl: string, body: unknown, headers: Record<string, string> = {}, timeoutMs = 60_000): Promise<Response> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const res = await fetch(`${apiUrl}/orders`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    const retryAfter = Number(res.headers.get('retry-after'));
    if (res.status !== 503 || !(retryAfter > 0) || Date.now() + retryAfter * 1000 > until) return res;
    await res.body?.cancel();
    await new Promise((r) => setTimeout(r, retryAfter * 1000));
  }
}
