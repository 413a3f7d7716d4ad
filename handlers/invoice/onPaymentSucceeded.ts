// invoice: issues one numbered invoice per paid order (order_id is unique), built
// from the PaymentSucceeded alone (from-payment.ts): it never reads another service's
// tables. Numbers (numbering.ts) come from a sequence; a number taken by a transaction
// that rolls back (or for an order invoiced before) is skipped, so numbering may have
// gaps. The payments of a group commit are invoiced together (runtime/group-step.ts),
// in two statements however many they are: their numbers, then one insert that keeps
// each order's first invoice. Within a group the first PaymentSucceeded of an order
// wins; a later one, like one for an order invoiced before, issues nothing.
import type { EntityManager } from '@mikro-orm/postgresql';
import { invoiceCreated, type InvoiceEvent } from '../../generated/services/invoice.ts';
import type { InvoiceCreated, PaymentSucceeded } from '../../generated/types.ts';
import { handledInGroups } from '../../runtime/group-step.ts';
import { uuidKey } from '../../runtime/uuid-key.ts';
import { invoiceFromPayment } from './from-payment.ts';
import { invoiceNumber } from './numbering.ts';
import { uuidv7 } from '../../runtime/uuid-v7.ts';

export const onPaymentSucceeded = handledInGroups<PaymentSucceeded, readonly InvoiceEvent[]>(async (items) => {
  const em = items[0]!.ctx.em;
  const toInvoice = firstOfEachOrder(items.map((i) => i.message));
  const numbers = await nextInSequence(em, toInvoice.length);
  const invoices = new Map(toInvoice.map((payment, k) => [uuidKey(payment.orderId), numberedInvoice(payment, numbers[k]!)]));
  const issued = await issueInvoices(em, [...invoices.values()]);
  return items.map(({ message: payment, ctx }) => {
    // taken once: the order's first PaymentSucceeded gets the invoice issued now, a later one finds the order invoiced
    if (issued.delete(uuidKey(payment.orderId))) return [invoiceCreated(invoices.get(uuidKey(payment.orderId))!)];
    ctx.log.warn({ orderId: payment.orderId }, 'order already invoiced; no second invoice');
    return [];
  });
});

/** Each order's first PaymentSucceeded of the group, in the group's order. */
function firstOfEachOrder(payments: readonly PaymentSucceeded[]): PaymentSucceeded[] {
  return [...Map.groupBy(payments, (p) => uuidKey(p.orderId)).values()].map((ofOneOrder) => ofOneOrder[0]!);
}

/** The payment's invoice, issued now with the `sequence`-th number. */
function numberedInvoice(payment: PaymentSucceeded, sequence: string): InvoiceCreated {
  const issuedAt = new Date();
  return invoiceFromPayment(payment, { invoiceId: uuidv7(), invoiceNumber: invoiceNumber(issuedAt, sequence), issuedAt });
}

/** `count` numbers of the invoice sequence, increasing (bigints, as decimal strings). */
async function nextInSequence(em: EntityManager, count: number): Promise<string[]> {
  const rows = await em.execute<{ n: string }[]>(
    `select nextval('invoice.invoice_number_seq') as n from generate_series(1, ?::int) order by n`, [count],
  );
  return rows.map((r) => String(r.n));
}

/** Inserts the invoices (one per order) in one statement; returns the orders invoiced now, keyed by uuidKey: the others were invoiced before (by another message, or concurrently). */
async function issueInvoices(em: EntityManager, invoices: readonly InvoiceCreated[]): Promise<Set<string>> {
  // in order_id order: two groups invoicing the same orders wait for each other instead of deadlocking
  const sorted = invoices.toSorted((a, b) => (uuidKey(a.orderId) < uuidKey(b.orderId) ? -1 : 1));
  const rows = await em.execute<{ order_id: string }[]>(
    `insert into invoice.invoices (invoice_id, order_id, invoice_number, customer_id, email, total_amount, currency, lines, issued_at)
     values ${sorted.map(() => '(?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?)').join(', ')}
     on conflict (order_id) do nothing returning order_id`,
    sorted.flatMap((invoice) => [invoice.invoiceId, invoice.orderId, invoice.invoiceNumber, invoice.customerId, invoice.email,
      invoice.total.amount, invoice.total.currency, JSON.stringify(invoice.lines), invoice.issuedAt]),
  );
  return new Set(rows.map((r) => uuidKey(String(r.order_id))));
}
