// Pricing an order from the catalog, on plain values: unit price × quantity per
// line, the total as the sum of the lines, integer minor units throughout, one
// currency. (Storing the priced order and its stock: store-order.int.spec.ts.)
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { messages } from '../generated/registry.ts';
import type { OrderItem } from '../generated/types.ts';
import { amountRejection, MAX_STORED_AMOUNT, priceOrder } from '../handlers/store-order/pricing.ts';
import type { Product } from '../handlers/store-order/stock-rules.ts';
import { PermanentError } from '../runtime/errors.ts';

const ORDER_ID = '8f14e45f-ceea-467f-a0e6-1d3c8e3b2a01';

function catalogOf(...products: Partial<Product>[]): Map<string, Product> {
  return new Map(products.map((p, i) => {
    const product: Product = { productId: `P${i + 1}`, name: `Product ${i + 1}`, priceAmount: 100, currency: 'EUR', stockOnHand: 1000, ...p };
    return [product.productId, product];
  }));
}

const shoes: Partial<Product> = { productId: 'A1215', name: 'Trail running shoes', priceAmount: 8999 };
const socks: Partial<Product> = { productId: 'A1216', name: 'Merino socks', priceAmount: 1499 };

function order(...items: OrderItem[]) {
  return { orderId: ORDER_ID, items };
}

test('each line is priced at the catalog unit price times its quantity, and the total sums the lines', () => {
  // given the contract's example order and the catalog it was priced from
  const catalog = catalogOf(shoes, socks);
  // when it is priced
  const priced = priceOrder(order({ productId: 'A1215', quantity: 2 }, { productId: 'A1216', quantity: 1 }), catalog);
  // then every line and the total are the contract example's
  assert.equal(priced.lines, [
    { productId: 'A1215', name: 'Trail running shoes', quantity: 2, unitPrice: { amount: 8999, currency: 'EUR' }, lineTotal: { amount: 17998, currency: 'EUR' } },
    { productId: 'A1216', name: 'Merino socks', quantity: 1, unitPrice: { amount: 1499, currency: 'EUR' }, lineTotal: { amount: 1499, currency: 'EUR' } },
  ]);
  assert.equal(priced.total, { amount: 19497, currency: 'EUR' });
});

test('prices are summed in minor units without floating-point error', () => {
  // given prices that are not exact in binary floating point as major units (0.10 + 0.20 ≠ 0.30)
  const catalog = catalogOf({ productId: 'DIME', priceAmount: 10 }, { productId: 'TWENTY', priceAmount: 20 }, { productId: 'ODD', priceAmount: 1 });
  // when an order of them is priced
  const priced = priceOrder(order({ productId: 'DIME', quantity: 1 }, { productId: 'TWENTY', quantity: 1 }, { productId: 'ODD', quantity: 999 }), catalog);
  // then the total is exact, and an integer
  assert.is(priced.total.amount, 1029);
  assert.ok(Number.isInteger(priced.total.amount));
  assert.ok(priced.lines.every((l) => Number.isInteger(l.lineTotal.amount)));
});

test('fifty lines of the largest quantity sum exactly', () => {
  // given the most an order may hold: 50 lines of 1000 units
  const catalog = catalogOf({ productId: 'A1215', priceAmount: 8999 });
  const items = Array.from({ length: 50 }, () => ({ productId: 'A1215', quantity: 1000 }));
  // when it is priced
  const priced = priceOrder(order(...items), catalog);
  // then the total is 50 × 1000 × 8999 to the cent
  assert.is(priced.total.amount, 449_950_000);
});

test('a product on two lines is priced on each line, in the order of the order', () => {
  const catalog = catalogOf(shoes, socks);
  const priced = priceOrder(order({ productId: 'A1216', quantity: 1 }, { productId: 'A1215', quantity: 1 }, { productId: 'A1216', quantity: 3 }), catalog);
  assert.equal(priced.lines.map((l) => [l.productId, l.quantity, l.lineTotal.amount]), [['A1216', 1, 1499], ['A1215', 1, 8999], ['A1216', 3, 4497]]);
  assert.is(priced.total.amount, 1499 + 8999 + 4497);
});

test('a currency without minor units (JPY) is priced in its whole units as the catalog states them', () => {
  const catalog = catalogOf({ productId: 'TEA', priceAmount: 1500, currency: 'JPY' });
  const priced = priceOrder(order({ productId: 'TEA', quantity: 3 }), catalog);
  assert.equal(priced.total, { amount: 4500, currency: 'JPY' });
});

test('a currency with three minor digits (KWD) keeps every fils', () => {
  const catalog = catalogOf({ productId: 'DATES', priceAmount: 1234, currency: 'KWD' });
  const priced = priceOrder(order({ productId: 'DATES', quantity: 7 }), catalog);
  assert.equal(priced.total, { amount: 8638, currency: 'KWD' });
});

test('a free product (price 0) is priced at zero and the order still has a total', () => {
  const catalog = catalogOf({ productId: 'SAMPLE', priceAmount: 0 }, socks);
  const priced = priceOrder(order({ productId: 'SAMPLE', quantity: 5 }, { productId: 'A1216', quantity: 1 }), catalog);
  assert.is(priced.lines[0]!.lineTotal.amount, 0);
  assert.equal(priced.total, { amount: 1499, currency: 'EUR' });
});

test('an order whose lines come in two currencies cannot be priced: a PermanentError naming both', () => {
  // given a catalog that (against its design) holds EUR and USD prices
  const catalog = catalogOf(shoes, { productId: 'US-CAP', priceAmount: 2500, currency: 'USD' });
  // when an order mixes them, then pricing fails for good, naming the order and the currencies
  assert.throws(
    () => priceOrder(order({ productId: 'A1215', quantity: 1 }, { productId: 'US-CAP', quantity: 1 }), catalog),
    (err: unknown) => err instanceof PermanentError && err.message.includes(ORDER_ID) && err.message.includes('EUR, USD'),
  );
});

test('an amount beyond what an order can hold is priced and then rejected as AMOUNT_TOO_LARGE, not a silently wrong total', () => {
  // given a price whose 1000-fold no longer fits the order tables
  const catalog = catalogOf({ productId: 'YACHT', priceAmount: 2_147_484 });
  assert.ok(2_147_484 * 1000 > MAX_STORED_AMOUNT);
  // when it is ordered a thousand times, then the order is rejected, naming the line and the limit
  const rejection = amountRejection(priceOrder(order({ productId: 'YACHT', quantity: 1000 }), catalog));
  assert.is(rejection?.reason, 'AMOUNT_TOO_LARGE');
  assert.equal(rejection?.problems, []);
  assert.match(rejection!.detail, `YACHT × 1000 comes to 2147484000; the total comes to 2147484000 EUR minor units, more than an order can hold (${MAX_STORED_AMOUNT})`);
  // and two lines that fit alone but not together: only the total is named
  const twoLines = amountRejection(priceOrder({ orderId: ORDER_ID, items: [{ productId: 'YACHT', quantity: 600 }, { productId: 'YACHT', quantity: 600 }] }, catalog));
  assert.match(twoLines!.detail, /^the total comes to 2576980800 EUR/);
  // and exactly at the limit it is taken
  const atLimit = catalogOf({ productId: 'YACHT', priceAmount: MAX_STORED_AMOUNT });
  const priced = priceOrder(order({ productId: 'YACHT', quantity: 1 }), atLimit);
  assert.is(priced.total.amount, MAX_STORED_AMOUNT);
  assert.is(amountRejection(priced), undefined);
});

test('pricing a product the catalog lacks is a programming error: unknown products are rejected before pricing', () => {
  assert.throws(() => priceOrder(order({ productId: 'Z9999', quantity: 1 }), catalogOf(shoes)), /Z9999 is not in the catalog/);
});

test('zero, negative, fractional and over-1000 quantities never reach pricing: the contract refuses them', () => {
  // given OrderCreated payloads that differ from the contract's example only in one quantity
  const example = { orderId: ORDER_ID, customerId: '3c59dc04-8e31-4b8e-9c9e-3a5b8b1c2d3e', email: 'anna.kovacs@example.com', createdAt: '2026-11-25T10:00:00Z' };
  const withQuantity = (quantity: number) => ({ ...example, items: [{ productId: 'A1215', quantity }] });
  // then the contract accepts 1 and 1000 and nothing outside them, so the consumer dead-letters the others before any handler
  assert.ok(messages.OrderCreated.validate(withQuantity(1)));
  assert.ok(messages.OrderCreated.validate(withQuantity(1000)));
  for (const bad of [0, -1, 1.5, 1001]) assert.not.ok(messages.OrderCreated.validate(withQuantity(bad)), `quantity ${bad}`);
  // and an order has between 1 and 50 lines
  assert.not.ok(messages.OrderCreated.validate({ ...example, items: [] }));
  assert.not.ok(messages.OrderCreated.validate({ ...example, items: Array.from({ length: 51 }, () => ({ productId: 'A1215', quantity: 1 })) }));
});

test.run();
