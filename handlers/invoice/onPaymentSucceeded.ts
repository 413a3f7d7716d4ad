// invoice: issues one numbered invoice per paid order (order_id is unique), built
// from the PaymentSucceeded alone (from-payment.ts): it never reads another service's
// tables. Numbers (numbering.ts) come from a sequence; a number taken by a transaction
// that rolls back (or by a second PaymentSucceeded of an invoiced order) is skipped, so
// numbering may have gaps. Two statements per invoice: the number, then the insert
// that keeps the first.
import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { invoiceCreated, type InvoiceHandlers } from '../../generated/services/invoice.ts';
import type { InvoiceCreated } from '../../generated/types.ts';
import { invoiceFromPayment } from './from-payment.ts';
import { invoiceNumber } from './numbering.ts';

export const onPaymentSucceeded: InvoiceHandlers['onPaymentSucceeded'] = async (payment, ctx) => {
  const issuedAt = new Date();
  const number = invoiceNumber(issuedAt, await nextInSequence(ctx.em));
  const invoice = invoiceFromPayment(payment, { invoiceId: randomUUID(), invoiceNumber: number, issuedAt });
  if (!(await issueInvoice(ctx.em, invoice))) {
    ctx.log.warn({ orderId: payment.orderId }, 'order already invoiced; no second invoice');
    return [];
  }
  return [invoiceCreated(invoice)];
};

/** The next number of the invoice sequence (a bigint, as its decimal string). */
async function nextInSequence(em: EntityManager): Promise<string> {
  const [{ n }] = await em.execute<{ n: string }[]>(`select nextval('invoice.invoice_number_seq') as n`);
  return n;
}

/** False when the order was invoiced before (by another message, or concurrently). */
async function issueInvoice(em: EntityManager, invoice: InvoiceCreated): Promise<boolean> {
  const rows = await em.execute(
    `insert into invoice.invoices (invoice_id, order_id, invoice_number, customer_id, email, total_amount, currency, lines, issued_at)
     values (?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?)
     on conflict (order_id) do nothing returning invoice_id`,
    [invoice.invoiceId, invoice.orderId, invoice.invoiceNumber, invoice.customerId, invoice.email,
      invoice.total.amount, invoice.total.currency, JSON.stringify(invoice.lines), invoice.issuedAt],
  );
  return rows.length === 1;
}
