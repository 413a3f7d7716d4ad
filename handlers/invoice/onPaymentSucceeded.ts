// invoice: issues one numbered invoice per paid order (order_id is unique), built
// from the PaymentSucceeded alone: it never reads another service's tables.
// Numbers come from a sequence; a number taken by a transaction that rolls back
// (or by a second PaymentSucceeded of an invoiced order) is skipped, so numbering may
// have gaps. Two statements per invoice: the number, then the insert that keeps the first.
import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { invoiceCreated, type InvoiceHandlers } from '../../generated/services/invoice.ts';
import type { InvoiceCreated } from '../../generated/types.ts';

export const onPaymentSucceeded: InvoiceHandlers['onPaymentSucceeded'] = async (payment, ctx) => {
  const issuedAt = new Date();
  const invoiceNumber = await nextInvoiceNumber(ctx.em, issuedAt);
  const invoice: InvoiceCreated = {
    invoiceId: randomUUID(), invoiceNumber, orderId: payment.orderId, customerId: payment.customerId, email: payment.email,
    lines: payment.lines, total: payment.amount, issuedAt: issuedAt.toISOString(),
  };
  if (!(await issueInvoice(ctx.em, invoice))) {
    ctx.log.warn({ orderId: payment.orderId }, 'order already invoiced; no second invoice');
    return [];
  }
  return [invoiceCreated(invoice)];
};

/** INV-<year of issue, UTC>-<sequence, at least 6 digits>. */
async function nextInvoiceNumber(em: EntityManager, issuedAt: Date): Promise<string> {
  const [{ n }] = await em.execute<{ n: string }[]>(`select nextval('invoice.invoice_number_seq') as n`);
  return `INV-${issuedAt.getUTCFullYear()}-${String(n).padStart(6, '0')}`;
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
