// Whether the catalog can take an order, on plain values: unknown products first,
// then stock that cannot cover a product's lines together. (Reserving and
// restoring stock in the database: store-order.int and cancel-order.int.)
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { messages } from '../generated/registry.ts';
import type { OrderItem } from '../generated/types.ts';
import { MAX_DETAIL_LENGTH, rejectionOf, requestedPerProduct, stockShortages, unknownProducts, type Product } from '../handlers/store-order/stock-rules.ts';

/** A catalog of products by id with their stock on hand. */
function catalogWithStock(stock: Record<string, number>): Map<string, Product> {
  return new Map(Object.entries(stock).map(([productId, stockOnHand]) => [productId, { productId, name: productId, priceAmount: 100, currency: 'EUR', stockOnHand }]));
}

/** The rest of an OrderRejected, around what the rules decide. */
const REJECTED_BASE = { orderId: '8f14e45f-ceea-467f-a0e6-1d3c8e3b2a01', customerId: '3c59dc04-8e31-4b8e-9c9e-3a5b8b1c2d3e', email: 'anna.kovacs@example.com', rejectedAt: '2026-11-25T10:00:00Z' };

const line = (productId: string, quantity: number): OrderItem => ({ productId, quantity });

test('an order the stock covers is taken', () => {
  // given stock of 10 shoes and 5 socks, when 2 and 1 are ordered, then nothing stands in the way
  assert.is(rejectionOf([line('A1215', 2), line('A1216', 1)], catalogWithStock({ A1215: 10, A1216: 5 })), undefined);
});

test('an order for exactly the stock on hand is taken', () => {
  assert.is(rejectionOf([line('A1215', 3)], catalogWithStock({ A1215: 3 })), undefined);
});

test('an order for more than the stock is rejected naming each short product', () => {
  // given 3 shoes, 0 socks and plenty of jackets
  const catalog = catalogWithStock({ A1215: 3, A1216: 0, B2001: 100 });
  // when 5 shoes, 2 socks and 1 jacket are ordered
  const rejection = rejectionOf([line('A1215', 5), line('A1216', 2), line('B2001', 1)], catalog);
  // then the order is rejected for stock, naming the shoes and the socks with what there is, and not the jacket
  assert.equal(rejection, {
    reason: 'INSUFFICIENT_STOCK',
    problems: [{ productId: 'A1215', requested: 5, available: 3 }, { productId: 'A1216', requested: 2, available: 0 }],
    detail: 'A1215: 5 requested, 3 in stock; A1216: 2 requested, 0 in stock',
  });
});

test('lines of the same product count together against its stock', () => {
  // given 5 shoes, when two lines ask for 3 each (each alone would fit)
  const rejection = rejectionOf([line('A1215', 3), line('A1216', 1), line('A1215', 3)], catalogWithStock({ A1215: 5, A1216: 5 }));
  // then the order is short: both lines of the product are named, and the detail sums them once
  assert.equal(rejection?.reason, 'INSUFFICIENT_STOCK');
  assert.equal(rejection?.problems, [{ productId: 'A1215', requested: 3, available: 5 }, { productId: 'A1215', requested: 3, available: 5 }]);
  assert.is(rejection?.detail, 'A1215: 6 requested, 5 in stock');
});

test('lines of the same product that together fit are taken', () => {
  assert.is(rejectionOf([line('A1215', 2), line('A1215', 3)], catalogWithStock({ A1215: 5 })), undefined);
});

test('an order naming a product the catalog lacks is rejected as UNKNOWN_PRODUCT, without an available count', () => {
  const rejection = rejectionOf([line('A1215', 1), line('Z9999', 2)], catalogWithStock({ A1215: 10 }));
  assert.equal(rejection, {
    reason: 'UNKNOWN_PRODUCT',
    problems: [{ productId: 'Z9999', requested: 2, available: null }],
    detail: 'Z9999 is not in the catalog',
  });
});

test('several unknown products are all named, each once in the detail', () => {
  const rejection = rejectionOf([line('Z9999', 1), line('Y8888', 1), line('Z9999', 4)], catalogWithStock({}));
  assert.equal(rejection?.problems.map((p) => p.productId), ['Z9999', 'Y8888', 'Z9999']);
  assert.is(rejection?.detail, 'Z9999, Y8888 are not in the catalog');
});

test('an unknown product outranks a shortage: the rejection names only what is not sold', () => {
  // given an order both short of shoes and naming an unknown product
  const rejection = rejectionOf([line('A1215', 50), line('Z9999', 1)], catalogWithStock({ A1215: 1 }));
  // then it is rejected as UNKNOWN_PRODUCT, and the shortage is not reported
  assert.is(rejection?.reason, 'UNKNOWN_PRODUCT');
  assert.equal(rejection?.problems, [{ productId: 'Z9999', requested: 1, available: null }]);
});

test('out of stock (0 on hand) rejects even a single unit', () => {
  assert.equal(stockShortages([line('A1216', 1)], catalogWithStock({ A1216: 0 })), [{ productId: 'A1216', requested: 1, available: 0 }]);
});

test('quantities wanted are summed per product, in first-mention order', () => {
  assert.equal([...requestedPerProduct([line('B', 1), line('A', 2), line('B', 4)])], [['B', 5], ['A', 2]]);
});

test('the building blocks agree: no unknown products and no shortages for a covered order', () => {
  const catalog = catalogWithStock({ A1215: 2 });
  assert.equal(unknownProducts([line('A1215', 2)], catalog), []);
  assert.equal(stockShortages([line('A1215', 2)], catalog), []);
});

test('every rejection is a valid OrderRejected by the contract, even for 50 short lines', () => {
  // given the largest order the contract allows, all of one product that has 1 left
  const items = Array.from({ length: 50 }, () => line('A1215', 1000));
  const rejection = rejectionOf(items, catalogWithStock({ A1215: 1 }))!;
  // then the event built from it passes the contract's validator (problems ≤ 50, detail ≤ 2000 characters)
  assert.ok(messages.OrderRejected.validate({ ...REJECTED_BASE, ...rejection }), JSON.stringify(messages.OrderRejected.validate.errors));
  assert.is(rejection.problems.length, 50);
});

test('a rejection naming fifty long product ids keeps its detail within the contract, cut visibly', () => {
  // given 50 distinct products with 32-character ids and a lot of stock, each short by one
  const ids = Array.from({ length: 50 }, (_, i) => `P${String(i).padStart(31, '0')}`);
  const stock = Object.fromEntries(ids.map((id) => [id, 999]));
  const rejection = rejectionOf(ids.map((id) => line(id, 1000)), catalogWithStock(stock))!;
  // then all 50 products are named in the problems, and the detail is cut to 2000 characters ending in an ellipsis
  assert.is(rejection.problems.length, 50);
  assert.is(rejection.detail.length, MAX_DETAIL_LENGTH);
  assert.ok(rejection.detail.endsWith('…'));
  assert.ok(rejection.detail.startsWith(`${ids[0]}: 1000 requested, 999 in stock; `));
  assert.ok(messages.OrderRejected.validate({ ...REJECTED_BASE, ...rejection }), JSON.stringify(messages.OrderRejected.validate.errors));
});

test.run();
