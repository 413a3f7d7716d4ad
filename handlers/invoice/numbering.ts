// How invoices are numbered: INV-<year of issue, UTC>-<sequence number, zero-padded
// to at least 6 digits> (INV-2026-000042; the millionth is INV-2026-1000000). The
// sequence is one for all years: it does not restart on 1 January, so a number is
// unique on its own and the year only says when the invoice was issued. The year is
// the UTC one, whatever the server's time zone: an invoice issued at 00:30 on
// 1 January in Berlin still bears the old year (it is 23:30 UTC on 31 December).

/** The invoice number for the `sequence`-th number (bigint sequences come back from the database as strings). */
export function invoiceNumber(issuedAt: Date, sequence: number | bigint | string): string {
  const digits = String(sequence);
  if (!/^[1-9][0-9]*$/.test(digits)) throw new Error(`an invoice sequence number is a positive integer, not "${digits}"`);
  if (Number.isNaN(issuedAt.getTime())) throw new Error(`invoice ${digits} has no valid date of issue`);
  return `INV-${issuedAt.getUTCFullYear()}-${digits.padStart(6, '0')}`;
}
