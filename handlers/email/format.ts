// How values become e-mail text: HTML-escaped in the HTML part, one line in
// header values and table cells (no CR/LF, so no header injection), money in
// major units ("194.97 EUR"), orders by the short form of their id.
import type { Money } from '../../generated/types.ts';

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;', '=': '&#61;',
};

/** Escapes a value for HTML text and (quoted) attribute values. */
export function escapeHtml(value: string | number): string {
  return String(value).replace(/[&<>"'`=]/g, (c) => HTML_ESCAPES[c]);
}

// C0 controls (CR, LF, TAB, NUL…), DEL, C1 controls and the Unicode line/paragraph separators.
const LINE_BREAKING = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;

/** The value on one line: every control character (CR and LF included) becomes a space. */
export function oneLine(value: string): string {
  return value.replace(LINE_BREAKING, ' ').replace(/ {2,}/g, ' ').trim();
}

/** A header value (subject, recipient): one line, nothing a header parser could split on. */
export function headerValue(value: string): string {
  return oneLine(value);
}

// The contract's e-mail format (ajv-formats "email"), which has no room for spaces, commas,
// angle brackets, colons or semicolons: one address, never a list or a group.
const SINGLE_ADDRESS = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/i;

/** True when the value is exactly one bare e-mail address (what a recipient header may hold). */
export function isSingleAddress(value: string): boolean {
  return value.length <= 254 && SINGLE_ADDRESS.test(value);
}

/** Building an Intl.NumberFormat costs far more than the mail around it: once per currency. */
const digitsByCurrency = new Map<string, number>();

function minorDigits(currency: string): number {
  let digits = digitsByCurrency.get(currency);
  if (digits === undefined) {
    try {
      digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
    } catch {
      digits = 2;
    }
    if (digitsByCurrency.size < 1000) digitsByCurrency.set(currency, digits);
  }
  return digits;
}

/** Integer minor units as a decimal amount with its currency: { 19497, EUR } → "194.97 EUR". */
export function formatMoney(money: Money): string {
  const digits = minorDigits(money.currency);
  const negative = money.amount < 0;
  const units = String(Math.abs(Math.trunc(money.amount))).padStart(digits + 1, '0');
  const major = digits ? `${units.slice(0, -digits)}.${units.slice(-digits)}` : units;
  return `${negative ? '-' : ''}${major} ${oneLine(money.currency)}`;
}

/** The first block of a UUID: how a customer refers to the order (8f14e45f-ceea-… → 8f14e45f). */
export function shortOrderId(orderId: string): string {
  return oneLine(orderId).split('-')[0].slice(0, 12);
}
