// Drives orders over HTTP like clients do during a fault: each order has its own
// Idempotency-Key and is retried with that key until it gets a 202 (or the deadline),
// so an order is either accepted exactly once or reported as never accepted.
import { setTimeout as sleep } from 'node:timers/promises';

export interface Item { readonly productId: string; readonly quantity: number }

export interface OrderPlan {
  readonly email: string;
  readonly items: readonly Item[];
}

export interface Placed extends OrderPlan {
  readonly index: number;
  readonly orderId: string;
  /** How many requests it took (1: accepted at once). */
  readonly attempts: number;
}

export interface LoadResult {
  /** The orders that got a 202, in acceptance order. */
  readonly placed: Placed[];
  /** The orders that never got a 202 before the deadline, with the last answer. */
  readonly refused: { index: number; last: string }[];
  /** Every non-202 answer or network error seen on the way (what the fault looked like to clients). */
  readonly hiccups: string[];
}

export interface LoadOptions {
  readonly apiUrl: string;
  readonly count: number;
  /** Requests in flight at once. */
  readonly concurrency: number;
  /** A tag that keeps Idempotency-Keys and e-mail addresses unique to the run. */
  readonly tag: string;
  /** The order of index i. */
  readonly plan: (i: number) => OrderPlan;
  /** Pause between two orders of one lane, to spread the load over the fault. */
  readonly spacingMs?: number;
  /** Called after each acceptance (e.g. to inject a fault once a share is in). */
  readonly onAccepted?: (acceptedSoFar: number) => void;
  /** Give up on an order after this long (default 90 s). */
  readonly orderDeadlineMs?: number;
}

const CUSTOMER = '1c9d4e2a-6b3f-4a8e-9f1d-2e7c5b8a4d30';

/** A mixed order for index i over the seeded catalog: mostly payable, some for an unknown product. */
export function mixedPlan(tag: string): (i: number) => OrderPlan {
  return (i) => {
    const email = `c-${tag}-${i}@example.com`;
    if (i % 13 === 7) return { email, items: [{ productId: 'A1215', quantity: 1 }, { productId: 'Z9999', quantity: 1 }] };
    const items: Item[] = [{ productId: 'A1215', quantity: 1 + (i % 3) }];
    if (i % 2 === 0) items.push({ productId: 'A1216', quantity: 1 });
    if (i % 5 === 0) items.push({ productId: 'B2001', quantity: 2 });
    return { email, items };
  };
}

export async function placeOrders(options: LoadOptions): Promise<LoadResult> {
  const placed: Placed[] = [];
  const refused: { index: number; last: string }[] = [];
  const hiccups: string[] = [];
  let next = 0;
  const deadlineMs = options.orderDeadlineMs ?? 90_000;

  const placeOne = async (index: number) => {
    const plan = options.plan(index);
    const body = JSON.stringify({ customerId: CUSTOMER, email: plan.email, items: plan.items });
    const until = Date.now() + deadlineMs;
    let last = '';
    for (let attempt = 1; Date.now() < until; attempt++) {
      try {
        const res = await fetch(`${options.apiUrl}/orders`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'idempotency-key': `${options.tag}-${index}` },
          body,
          signal: AbortSignal.timeout(15_000),
        });
        const text = await res.text();
        if (res.status === 202) {
          placed.push({ ...plan, index, orderId: (JSON.parse(text) as { orderId: string }).orderId, attempts: attempt });
          options.onAccepted?.(placed.length);
          return;
        }
        last = `${res.status} ${text.slice(0, 200)}`;
        if (res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429) break;
      } catch (err) {
        last = `${(err as Error).message}${(err as Error).cause ? ` (${String((err as Error).cause)})` : ''}`;
      }
      hiccups.push(`order ${index} attempt ${attempt}: ${last}`);
      await sleep(Math.min(2000, 100 * attempt));
    }
    refused.push({ index, last });
  };

  const lane = async () => {
    while (next < options.count) {
      const index = next++;
      await placeOne(index);
      if (options.spacingMs) await sleep(options.spacingMs);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency) }, lane));
  return { placed, refused, hiccups };
}
