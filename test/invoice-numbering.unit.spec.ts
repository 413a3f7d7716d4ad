// How invoices are numbered and what they hold, on plain values: INV-<UTC year of
// issue>-<sequence, at least 6 digits>, one sequence across years, built from the
// payment event alone. (Distinct numbers under concurrency, one invoice per order: invoice.int.)
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { examples, messages } from '../generated/registry.ts';
import type { PaymentSucceeded } from '../generated/types.ts';
import { invoiceFromPayment } from '../handlers/invoice/from-payment.ts';
import { invoiceNumber } from '../handlers/invoice/numbering.ts';

/** The contract's own pattern for invoice numbers. */
const CONTRACT_PATTERN = /^INV-[0-9]{4}-[0-9]{6,}$/;

test('an invoice number is INV, the year of issue and the sequence number padded to six digits', () => {
  // given the 42nd number of the sequence, issued in 2026
  // when it is formatted, then it reads as the contract's example
  assert.is(invoiceNumber(new Date('2026-11-25T10:00:06Z'), 42), 'INV-2026-000042');
  assert.is(invoiceNumber(new Date('2026-11-25T10:00:06Z'), 1), 'INV-2026-000001');
});

test('numbers beyond 999999 grow a seventh digit instead of wrapping', () => {
  assert.is(invoiceNumber(new Date('2026-11-25T10:00:06Z'), 999_999), 'INV-2026-999999');
  assert.is(invoiceNumber(new Date('2026-11-25T10:00:06Z'), 1_000_000), 'INV-2026-1000000');
  assert.match(invoiceNumber(new Date('2026-11-25T10:00:06Z'), 1_000_000), CONTRACT_PATTERN);
});

test('the database sequence is a bigint and comes back as a string: numbers past 2^53 keep every digit', () => {
  assert.is(invoiceNumber(new Date('2026-11-25T10:00:06Z'), '42'), 'INV-2026-000042');
  assert.is(invoiceNumber(new Date('2026-11-25T10:00:06Z'), '9223372036854775807'), 'INV-2026-9223372036854775807');
  assert.is(invoiceNumber(new Date('2026-11-25T10:00:06Z'), 9223372036854775807n), 'INV-2026-9223372036854775807');
});

test('the year is the UTC year of issue: the last second of a year and the first of the next', () => {
  assert.is(invoiceNumber(new Date('2026-12-31T23:59:59.999Z'), 7), 'INV-2026-000007');
  assert.is(invoiceNumber(new Date('2027-01-01T00:00:00.000Z'), 8), 'INV-2027-000008');
});

test('the year is the UTC one, not the local one: New Year in Berlin and in New York', () => {
  // given 1 Jan 00:30 in Berlin (UTC+1), which is 31 Dec 23:30 UTC: the old year
  assert.is(invoiceNumber(new Date('2027-01-01T00:30:00+01:00'), 10), 'INV-2026-000010');
  // given 31 Dec 20:00 in New York (UTC-5), which is 1 Jan 01:00 UTC: the new year
  assert.is(invoiceNumber(new Date('2026-12-31T20:00:00-05:00'), 11), 'INV-2027-000011');
});

test('the sequence does not restart with the year: a number is unique on its own', () => {
  const lastOf2026 = invoiceNumber(new Date('2026-12-31T23:59:59Z'), 123_456);
  const firstOf2027 = invoiceNumber(new Date('2027-01-01T00:00:01Z'), 123_457);
  assert.is(lastOf2026, 'INV-2026-123456');
  assert.is(firstOf2027, 'INV-2027-123457');
});

test('a sequence value that is not a positive integer, or a date that is not one, is refused loudly', () => {
  for (const bad of [0, -1, 1.5, Number.NaN, '', '12a', '007']) {
    assert.throws(() => invoiceNumber(new Date('2026-11-25T10:00:06Z'), bad), /positive integer/, String(bad));
  }
  assert.throws(() => invoiceNumber(new Date('not a date'), 42), /no valid date/);
});

test('an invoice is the payment event\'s customer, lines and amount, with its own id, number and date', () => {
  // given the contract's example payment
  const payment = structuredClone(examples.PaymentSucceeded[0].payload) as PaymentSucceeded;
  const issuedAt = new Date('2026-11-25T10:00:06Z');
  // when it is invoiced
  const invoice = invoiceFromPayment(payment, { invoiceId: '1f0e3dad-9990-4345-8e52-ed9a8b1e5b2c', invoiceNumber: invoiceNumber(issuedAt, 42), issuedAt });
  // then the invoice states what was paid, unchanged, and is a valid InvoiceCreated
  assert.equal(invoice, {
    invoiceId: '1f0e3dad-9990-4345-8e52-ed9a8b1e5b2c', invoiceNumber: 'INV-2026-000042', orderId: payment.orderId, customerId: payment.customerId,
    email: payment.email, lines: payment.lines, total: payment.amount, issuedAt: '2026-11-25T10:00:06.000Z',
  });
  assert.ok(messages.InvoiceCreated.validate(invoice), JSON.stringify(messages.InvoiceCreated.validate.errors));
});

test.run();
