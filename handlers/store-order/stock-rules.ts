// Whether the catalog can take an order, as pure rules on plain values: an order
// naming a product the catalog lacks is rejected as UNKNOWN_PRODUCT (that comes
// first: its stock cannot even be asked); otherwise an order is rejected as
// INSUFFICIENT_STOCK when any product's stock on hand cannot cover all the lines
// that name it together. Exactly the stock on hand is enough. Each problem names one
// line of the order, so a product on two lines is named twice. The detail is cut to
// the contract's 2000 characters (50 long product ids would not fit otherwise).
import type { OrderItem, OrderRejected, StockProblem } from '../../generated/types.ts';

/** The longest detail OrderRejected may carry (asyncapi.yaml). */
export const MAX_DETAIL_LENGTH = 2000;

/** A catalog entry as store-order reads it, with its stock on hand at that moment. */
export interface Product {
  readonly productId: string;
  readonly name: string;
  /** The unit price in integer minor units of `currency`. */
  readonly priceAmount: number;
  readonly currency: string;
  readonly stockOnHand: number;
}

/** Why an order cannot be taken: what OrderRejected says. */
export interface Rejection {
  readonly reason: OrderRejected['reason'];
  readonly problems: StockProblem[];
  /** One line for people reading logs and the customer's e-mail reference. */
  readonly detail: string;
}

/** Quantity wanted per product: a product on several lines counts once, with their sum. */
export function requestedPerProduct(items: readonly { productId: string; quantity: number }[]): Map<string, number> {
  const wanted = new Map<string, number>();
  for (const item of items) wanted.set(item.productId, (wanted.get(item.productId) ?? 0) + item.quantity);
  return wanted;
}

/** The lines naming no catalog product. */
export function unknownProducts(items: readonly OrderItem[], catalog: ReadonlyMap<string, Product>): StockProblem[] {
  return items.filter((i) => !catalog.has(i.productId)).map((i) => ({ productId: i.productId, requested: i.quantity, available: null }));
}

/** The lines of every product whose stock cannot cover all its lines together (every product must be in the catalog). */
export function stockShortages(items: readonly OrderItem[], catalog: ReadonlyMap<string, Product>): StockProblem[] {
  const wanted = requestedPerProduct(items);
  return items
    .filter((i) => wanted.get(i.productId)! > stockOf(catalog, i.productId))
    .map((i) => ({ productId: i.productId, requested: i.quantity, available: stockOf(catalog, i.productId) }));
}

/** Why the order cannot be taken from this catalog, or undefined when it can. */
export function rejectionOf(items: readonly OrderItem[], catalog: ReadonlyMap<string, Product>): Rejection | undefined {
  const unknown = unknownProducts(items, catalog);
  if (unknown.length > 0) {
    const ids = [...new Set(unknown.map((p) => p.productId))];
    return { reason: 'UNKNOWN_PRODUCT', problems: unknown, detail: cut(`${ids.join(', ')} ${ids.length === 1 ? 'is' : 'are'} not in the catalog`) };
  }
  const shortages = stockShortages(items, catalog);
  if (shortages.length > 0) return { reason: 'INSUFFICIENT_STOCK', problems: shortages, detail: cut(describeShortages(items, catalog)) };
  return undefined;
}

function cut(detail: string): string {
  return detail.length <= MAX_DETAIL_LENGTH ? detail : `${detail.slice(0, MAX_DETAIL_LENGTH - 1)}…`;
}

/** "A1215: 3 requested, 2 in stock; …": one entry per short product, its lines summed. */
function describeShortages(items: readonly OrderItem[], catalog: ReadonlyMap<string, Product>): string {
  return [...requestedPerProduct(items)]
    .filter(([productId, quantity]) => quantity > stockOf(catalog, productId))
    .map(([productId, quantity]) => `${productId}: ${quantity} requested, ${stockOf(catalog, productId)} in stock`)
    .join('; ');
}

function stockOf(catalog: ReadonlyMap<string, Product>, productId: string): number {
  const product = catalog.get(productId);
  if (!product) throw new Error(`product ${productId} is not in the catalog read for this order; check unknown products first`);
  return product.stockOnHand;
}
