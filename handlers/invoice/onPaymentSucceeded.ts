// invoice: issues one numbered invoice per paid order (order_id is unique), built
// from the PaymentSucceeded alone: it never reads another service's tables.
// Numbers come from a sequence; a number taken by a transaction that rolls back
// (or by a losing concurrent duplicate) is skipped, so numbering may have gaps.
import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { invoiceCreated, type InvoiceHandlers } from '../../generated/services/invoice.ts';
import type { InvoiceCreated } from '../../generated/types.ts';

export const onPaymentSucceeded: InvoiceHandlers['onPaymentSucceeded'] = async (payment, ctx) => {
  if (await hasInvoice(ctx.em, payment.orderId)) {
    ctx.log.warn({ orderId: payment.orderId }, 'order already invoiced; no second invoice');
    return [];
  }
  const issuedAt = new Date();
  const invoiceNumber = await nextInvoiceNumber(ctx.em, issuedAt);
  const invoice: InvoiceCreated = {
    invoiceId: randomUUID(), invoiceNumber, orderId: payment.orderId, customerId: payment.customerId, email: payment.email,
    lines: payment.lines, total: payment.amount, issuedAt: issuedAt.toISOString(),
  };
  if (!(await issueInvoice(ctx.em, invoice))) {
    ctx.log.warn({ orderId: payment.orderId }, 'order invoiced concurrently; no second invoice');
    return [];
  }
  return [invoiceCreated(invoice)];
};

async function hasInvoice(em: EntityManager, orderId: string): Promise<boolean> {
  return (await em.execute('select 1 from invoice.invoices where order_id = ?', [orderId])).length > 0;
}

/** INV-<year of issue, UTC>-<sequence, at least 6 digits>. */
async function nextInvoiceNumber(em: EntityManager, issuedAt: Date): Promise<string> {
  const [{ n }] = await em.execute<{ n: string }[]>(`select nextval('invoice.invoice_number_seq') as n`);
  return `INV-${issuedAt.getUTCFullYear()}-${String(n).padStart(6, '0')}`;
}

/** False when another transaction invoiced the order first. */
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
