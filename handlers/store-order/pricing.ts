// How an order is priced from the catalog: each line at the product's unit price
// times its quantity, the total as the sum of the line totals, all in integer minor
// units of the catalog's one currency. Integers only, so no amount is ever rounded
// (a currency without minor units, like JPY, simply has its units as minor units).
// Lines keep the order's own order; a product on two lines is priced on each.
// An order that cannot be priced is a PermanentError: lines in more than one
// currency (the catalog is meant to hold one), or an amount beyond what the order
// tables hold (integer minor units up to 2 147 483 647).
import type { Money, OrderItem, OrderLine } from '../../generated/types.ts';
import { PermanentError } from '../../runtime/errors.ts';
import type { Product } from './stock-rules.ts';

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
  for (const amount of [...lines.map((l) => l.lineTotal), total]) {
    if (!Number.isSafeInteger(amount.amount) || amount.amount > MAX_STORED_AMOUNT) {
      throw new PermanentError(`order ${order.orderId}: an amount of ${amount.amount} ${amount.currency} (minor units) is more than an order can hold (${MAX_STORED_AMOUNT})`);
    }
  }
  return { lines, total };
}
