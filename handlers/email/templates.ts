// The shop's e-mails, each as subject, plain text and HTML, from the event that
// causes it. Every interpolated value is HTML-escaped in the HTML part (the html
// tag below escapes anything that is not already markup), table cells and the
// subject are kept on one line, amounts are formatted from minor units.
import type { InvoiceCreated, OrderLine, OrderRejected, PaymentFailed, PaymentSucceeded, StockProblem } from '../../generated/types.ts';
import { escapeHtml, formatMoney, headerValue, oneLine, shortOrderId } from './format.ts';

export interface MailContent {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

/** Markup that is already safe: produced by the html tag, never by hand from a value. */
class Markup {
  readonly value: string;
  constructor(value: string) {
    this.value = value;
  }
}

/** Template tag: literal parts stay markup, every interpolated value is escaped (arrays are joined). */
function html(strings: TemplateStringsArray, ...values: unknown[]): Markup {
  const render = (v: unknown): string => {
    if (v instanceof Markup) return v.value;
    if (Array.isArray(v)) return v.map(render).join('');
    if (v === undefined || v === null || v === false) return '';
    return escapeHtml(String(v));
  };
  return new Markup(strings.reduce((out, s, i) => out + s + (i < values.length ? render(values[i]) : ''), ''));
}

function page(title: string, content: Markup): string {
  return html`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${title}</title></head>
<body style="font-family: Arial, Helvetica, sans-serif; color: #222; line-height: 1.4;">
${content}
<p>Kind regards,<br>Your shop</p>
</body>
</html>
`.value;
}

function textMail(paragraphs: readonly string[]): string {
  return `${[...paragraphs, 'Kind regards,\nYour shop'].join('\n\n')}\n`;
}

function linesText(lines: readonly OrderLine[]): string {
  return lines.map((l) => `- ${l.quantity} x ${oneLine(l.name)} (${oneLine(l.productId)}), ${formatMoney(l.unitPrice)} each: ${formatMoney(l.lineTotal)}`).join('\n');
}

const cellStyle = new Markup('style="padding: 4px 8px; border-bottom: 1px solid #ddd;"');
const amountStyle = new Markup('style="padding: 4px 8px; border-bottom: 1px solid #ddd; text-align: right;"');

function linesTable(lines: readonly OrderLine[], totalLabel: string, total: string): Markup {
  const rows = lines.map((l) => html`
<tr><td ${cellStyle}>${oneLine(l.name)}<br><small>${oneLine(l.productId)}</small></td><td ${amountStyle}>${l.quantity}</td><td ${amountStyle}>${formatMoney(l.unitPrice)}</td><td ${amountStyle}>${formatMoney(l.lineTotal)}</td></tr>`);
  return html`<table style="border-collapse: collapse;">
<thead><tr><th ${cellStyle}>Product</th><th ${amountStyle}>Quantity</th><th ${amountStyle}>Unit price</th><th ${amountStyle}>Amount</th></tr></thead>
<tbody>${rows}
</tbody>
<tfoot><tr><th ${cellStyle} colspan="3">${totalLabel}</th><th ${amountStyle}>${total}</th></tr></tfoot>
</table>`;
}

function isoDate(timestamp: string): string {
  const date = new Date(timestamp);
  return Number.isNaN(date.getTime()) ? oneLine(timestamp) : date.toISOString().slice(0, 10);
}

/** Thanks the customer for a paid order (PaymentSucceeded). */
export function orderConfirmationMail(payment: PaymentSucceeded): MailContent {
  const order = shortOrderId(payment.orderId);
  const total = formatMoney(payment.amount);
  const subject = headerValue(`Thank you for your order ${order}`);
  return {
    subject,
    text: textMail([
      'Hello,',
      `thank you for your order ${order}. We received your payment of ${total}.`,
      `You ordered:\n${linesText(payment.lines)}\n\nTotal paid: ${total}`,
      'Your invoice follows in a separate e-mail.',
    ]),
    html: page(subject, html`<p>Hello,</p>
<p>thank you for your order <strong>${order}</strong>. We received your payment of <strong>${total}</strong>.</p>
<p>You ordered:</p>
${linesTable(payment.lines, 'Total paid', total)}
<p>Your invoice follows in a separate e-mail.</p>`),
  };
}

/** Sends the invoice of a paid order (InvoiceCreated). */
export function invoiceMail(invoice: InvoiceCreated): MailContent {
  const order = shortOrderId(invoice.orderId);
  const invoiceNumber = oneLine(invoice.invoiceNumber);
  const total = formatMoney(invoice.total);
  const issued = isoDate(invoice.issuedAt);
  const subject = headerValue(`Invoice ${invoiceNumber} for your order ${order}`);
  return {
    subject,
    text: textMail([
      'Hello,',
      `here is your invoice for order ${order}.`,
      `Invoice number: ${invoiceNumber}\nIssued on: ${issued}`,
      `${linesText(invoice.lines)}\n\nTotal: ${total}`,
      'The amount has already been paid. Thank you for shopping with us.',
    ]),
    html: page(subject, html`<p>Hello,</p>
<p>here is your invoice for order <strong>${order}</strong>.</p>
<p>Invoice number: <strong>${invoiceNumber}</strong><br>Issued on: ${issued}</p>
${linesTable(invoice.lines, 'Total', total)}
<p>The amount has already been paid. Thank you for shopping with us.</p>`),
  };
}

/** Tells the customer the order was cancelled because the payment failed (PaymentFailed). */
export function cancellationMail(failure: PaymentFailed): MailContent {
  const order = shortOrderId(failure.orderId);
  const amount = formatMoney(failure.amount);
  const reason = oneLine(failure.reason);
  const subject = headerValue(`Your order ${order} was cancelled`);
  return {
    subject,
    text: textMail([
      'Hello,',
      `we are sorry: your order ${order} was cancelled because the payment of ${amount} failed.`,
      `The payment provider answered: ${reason}`,
      'Nothing was charged. You are welcome to place the order again.',
    ]),
    html: page(subject, html`<p>Hello,</p>
<p>we are sorry: your order <strong>${order}</strong> was cancelled because the payment of <strong>${amount}</strong> failed.</p>
<p>The payment provider answered: <em>${reason}</em></p>
<p>Nothing was charged. You are welcome to place the order again.</p>`),
  };
}

/** One product problem, as the customer would say it. */
export function describeProblem(problem: StockProblem): string {
  const product = oneLine(problem.productId);
  if (problem.available === null) return `${product}: we do not sell this product.`;
  if (problem.available === 0) return `${product}: you asked for ${problem.requested}, but it is out of stock.`;
  return `${product}: you asked for ${problem.requested}, but we have only ${problem.available} in stock.`;
}

/** Tells the customer the order could not be accepted, and why, per product (OrderRejected). */
export function rejectionMail(rejection: OrderRejected): MailContent {
  const order = shortOrderId(rejection.orderId);
  const why = {
    UNKNOWN_PRODUCT: 'it names a product that is not in our catalogue',
    INSUFFICIENT_STOCK: 'we do not have enough stock for it',
    AMOUNT_TOO_LARGE: 'its amount is larger than one order can hold',
  }[rejection.reason];
  const problems = rejection.problems.map(describeProblem);
  const detail = oneLine(rejection.detail);
  const subject = headerValue(`We could not accept your order ${order}`);
  return {
    subject,
    text: textMail([
      'Hello,',
      `we are sorry: we could not accept your order ${order}, because ${why}${problems.length ? ':' : '.'}`,
      ...(problems.length ? [problems.map((p) => `- ${p}`).join('\n')] : []),
      'Nothing was charged. You are welcome to place the order again with other quantities or products.',
      `Reference: ${detail}`,
    ]),
    html: page(subject, html`<p>Hello,</p>
<p>we are sorry: we could not accept your order <strong>${order}</strong>, because ${why}${problems.length ? ':' : '.'}</p>
${problems.length ? html`<ul>${problems.map((p) => html`<li>${p}</li>`)}</ul>` : ''}
<p>Nothing was charged. You are welcome to place the order again with other quantities or products.</p>
<p><small>Reference: ${detail}</small></p>`),
  };
}
