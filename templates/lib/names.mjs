// Naming and formatting helpers shared by every component: pure functions of strings.

/** The first line of every generated TypeScript or JavaScript file. */
export const HEADER = '// Generated from asyncapi.yaml by templates/ (npm run generate). Do not edit.';

/**
 * A contract name in PascalCase: `order-confirmation-email` → `OrderConfirmationEmail`.
 * @param {string} name
 * @returns {string}
 */
export function pascal(name) {
  return name.replace(/(^|[-_.\s])(\w)/g, (_, __, c) => c.toUpperCase());
}

/**
 * A contract name in camelCase: `store-order` → `storeOrder`, `PaymentFailed` → `paymentFailed`.
 * @param {string} name
 * @returns {string}
 */
export function camel(name) {
  const p = pascal(name);
  return p[0].toLowerCase() + p.slice(1);
}

/**
 * Comparator for stable, locale-independent ordering of generated output.
 * @param {string} a
 * @param {string} b
 * @returns {number}
 */
export function byName(a, b) {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * A JavaScript string literal (double-quoted, escaped).
 * @param {unknown} value
 * @returns {string}
 */
export function literal(value) {
  return JSON.stringify(value);
}

/**
 * Text for a one-line JSDoc comment: whitespace collapsed, no comment terminator.
 * @param {string} text
 * @returns {string}
 */
export function oneLine(text) {
  return String(text).trim().replace(/\s+/g, ' ').replaceAll('*/', '*\\/');
}

/**
 * Lines joined with newlines and ended by one: how every component returns its text.
 * @param {readonly (string | false | null | undefined)[]} lines falsy entries are dropped
 * @returns {string}
 */
export function lines(list) {
  return list.filter((l) => l !== false && l !== null && l !== undefined).join('\n') + '\n';
}
