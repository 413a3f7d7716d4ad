// How an order is priced from the catalog: each line at the product's unit price
// times its quantity, the total as the sum of the line totals, all in integer minor
// units of the catalog's one currency. Integers only, so no amount is ever rounded
// (a currency without minor units, like JPY, simply has its units as minor units).
// Lines keep the order's own order; a product on two lines is priced on each.
// Lines in more than one currency cannot be priced at all: a PermanentError (the
// catalog is meant to hold one). An order whose line total or total is beyond what
// the order tables and the contract hold (integer minor units up to 2 147 483 647) is
// priced, and then rejected as AMOUNT_TOO_LARGE (amountRejection): the customer is
// told, nothing is reserved.
import type { Money, OrderItem, OrderLine } from '../../generated/types.ts';
import { PermanentError } from '../../runtime/errors.ts';
import type { Product, Rejection } from './stock-rules.ts';

/** The largest amount a stored order line or total can hold (shop.orders, shop.order_lines: integer columns). */
export const MAX_STORED_AMOUNT = 2_147_483_647;

export interface PricedOrder {
  readonly lines: OrderLine[];
  readonly total: Money;
}

/** Prices every item from the catalog (every product must be in it: reject unknown products first). */
export function priceOrder(order: { orderId: string; items: readonly OrderItem[] }, catalog: ReadonlyMap<string, Product>): PricedOrder {
  const lines = order.items.map((item) => {
    const product = catalog.get(item.productId);
    if (!product) throw new Error(`order ${order.orderId}: product ${item.productId} is not in the catalog read for it; reject unknown products before pricing`);
    return {
      productId: item.productId,
      name: product.name,
      quantity: item.quantity,
      unitPrice: { amount: product.priceAmount, currency: product.currency },
      lineTotal: { amount: product.priceAmount * item.quantity, currency: product.currency },
    };
  });
  const currencies = [...new Set(lines.map((l) => l.unitPrice.currency))];
  if (currencies.length > 1) {
    throw new PermanentError(`order ${order.orderId} mixes currencies (${currencies.join(', ')}); the catalog is meant to hold one`);
  }
  const total = { amount: lines.reduce((sum, l) => sum + l.lineTotal.amount, 0), currency: currencies[0]! };
  return { lines, total };
}

const fits = (m: Money) => Number.isSafeInteger(m.amount) && m.amount <= MAX_STORED_AMOUNT;

/** AMOUNT_TOO_LARGE when a line total or the total cannot be held, else undefined. */
export function amountRejection(priced: PricedOrder): Rejection | undefined {
  const tooLarge = [...priced.lines.filter((l) => !fits(l.lineTotal)).map((l) => `${l.productId} × ${l.quantity} comes to ${l.lineTotal.amount}`),
    ...(fits(priced.total) ? [] : [`the total comes to ${priced.total.amount}`])];
  if (tooLarge.length === 0) return undefined;
  return {
    reason: 'AMOUNT_TOO_LARGE',
    problems: [],
    detail: `${tooLarge.join('; ')} ${priced.total.currency} minor units, more than an order can hold (${MAX_STORED_AMOUNT})`.slice(0, 2000),
  };
}
