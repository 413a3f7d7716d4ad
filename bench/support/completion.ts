// When an order is complete, read from the pipeline's own tables: its terminal event
// (InvoiceCreated, OrderCancelled or OrderRejected) is in the timeline and every e-mail
// its outcome calls for was accepted by the SMTP server (marked sent). Also the
// order's events with their times, for the per-hop latencies.
//
// Times: timeline.order_events.at is the event's own time (createdAt, persistedAt,
// paidAt...), stamped by the producing handler inside its transaction just before it
// commits, not when order-timeline recorded it; mail.emails.sent_at is PostgreSQL's
// now() of the statement that marks the e-mail sent, after the SMTP server accepted it.
import { sql } from '../../test/support/env.ts';

/**
 * Of the orders in $1, the complete ones with the time they completed. Each order is looked
 * up by key (the timeline's primary key, the invoice's order id, the e-mail's kind and
 * subject), so a read costs what the orders still in flight cost: reading every order of
 * the run again every few seconds grew with the run and, over 300 s, took a growing share
 * of the database the bench measures.
 */
const COMPLETED = `
  with pending(order_id) as (select unnest($1::uuid[])),
  terminal as (
    select e.order_id, max(e.at) as at, min(e.type) as type from pending p join timeline.order_events e using (order_id)
    where e.type in ('InvoiceCreated', 'OrderCancelled', 'OrderRejected') group by e.order_id),
  mail as (
    select p.order_id, e.status, e.sent_at from pending p
      join mail.emails e on e.kind in ('order-confirmation', 'cancellation', 'rejection') and e.subject_key = p.order_id::text
    union all
    select p.order_id, e.status, e.sent_at from pending p
      join invoice.invoices i using (order_id) join mail.emails e on e.kind = 'invoice' and e.subject_key = i.invoice_id::text),
  mails as (
    select order_id, count(*) filter (where status = 'sent') as sent, count(*) as queued, max(sent_at) as sent_at from mail group by order_id)
  select t.order_id::text as order_id, (extract(epoch from greatest(t.at, m.sent_at)) * 1000)::float8 as done_at
  from terminal t join mails m using (order_id)
  where m.sent = m.queued and m.queued = case t.type when 'InvoiceCreated' then 2 else 1 end`;

/**
 * Which of these orders are complete so far. Adds to `into` and never drops what an earlier
 * read found, so a read that fails midway or a slow poll loses nothing; an order already in
 * `into` is not read again.
 */
export async function readCompletions(databaseUrl: string, into: Map<string, number>, orderIds: readonly string[]): Promise<void> {
  const open = orderIds.filter((id) => !into.has(id));
  if (!open.length) return;
  const rows = await sql<{ order_id: string; done_at: number }>(databaseUrl, COMPLETED, [open]);
  for (const row of rows) if (!into.has(row.order_id)) into.set(row.order_id, row.done_at);
}

/** Every timeline event: order id → event type → its time (ms since the epoch). */
export async function orderEvents(databaseUrl: string): Promise<Map<string, Map<string, number>>> {
  const rows = await sql<{ order_id: string; type: string; at: number }>(databaseUrl,
    'select order_id::text as order_id, type, (extract(epoch from at) * 1000)::float8 as at from timeline.order_events');
  const events = new Map<string, Map<string, number>>();
  for (const row of rows) {
    const of = events.get(row.order_id) ?? new Map<string, number>();
    of.set(row.type, row.at);
    events.set(row.order_id, of);
  }
  return events;
}
