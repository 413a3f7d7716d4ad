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

const COMPLETED = `
  with terminal as (
    select order_id, max(at) as at, min(type) as type from timeline.order_events
    where type in ('InvoiceCreated', 'OrderCancelled', 'OrderRejected') group by order_id),
  mails as (
    select coalesce(i.order_id, e.subject_key::uuid) as order_id, count(*) filter (where e.status = 'sent') as sent,
           count(*) as queued, max(e.sent_at) as sent_at
    from mail.emails e left join invoice.invoices i on e.kind = 'invoice' and i.invoice_id::text = e.subject_key
    group by 1)
  select t.order_id::text as order_id, (extract(epoch from greatest(t.at, m.sent_at)) * 1000)::float8 as done_at
  from terminal t join mails m using (order_id)
  where m.sent = m.queued and m.queued = case t.type when 'InvoiceCreated' then 2 else 1 end`;

/**
 * The orders complete so far. Adds to `into` and never drops what an earlier read found,
 * so a read that fails midway or a slow poll loses nothing.
 */
export async function readCompletions(databaseUrl: string, into: Map<string, number>): Promise<void> {
  const rows = await sql<{ order_id: string; done_at: number }>(databaseUrl, COMPLETED);
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
