// Accepts customers' orders: each request is stored, and the step returns the events
// that announce it (OrderCreated and its log record); the runtime writes them to the
// outbox in the same transaction (runtime/http/commit.ts), so an accepted order
// cannot be lost and is announced exactly once. With an Idempotency-Key, a retry of
// the same order gets the same order back and announces nothing.
// Requests that arrive together share one transaction (group commit): the batch costs
// the same few statements as one request (lock its keys, look them up, insert the
// orders with their keys), and each request is decided as if it came alone, in order.
import { createHash } from 'node:crypto';
import type { CreateOrderRequest } from '../../generated/http/types.ts';
import { orderCreated } from '../../generated/services/api.ts';
import type { OutgoingEvent } from '../../generated/types.ts';
import type { Database, EntityManager } from '../../runtime/db.ts';
import type { EventLog } from '../../runtime/event-log.ts';
import type { Outcome } from '../../runtime/http/commit.ts';
import { uuidv7 } from '../../runtime/uuid-v7.ts';

export type Acceptance =
  /** Stored now, or earlier under the same key with the same order (`repeated`). */
  | { readonly outcome: 'accepted'; readonly orderId: string; readonly repeated: boolean }
  /** Another request with this key is being accepted right now. */
  | { readonly outcome: 'key-in-use' }
  /** The key was used before for a different order. */
  | { readonly outcome: 'key-reused'; readonly orderId: string };

export interface OrderRequest {
  readonly order: CreateOrderRequest;
  readonly idempotencyKey?: string | undefined;
}

interface Earlier {
  readonly requestHash: string;
  readonly orderId: string;
}

interface NewOrder {
  readonly orderId: string;
  readonly order: CreateOrderRequest;
  readonly items: { productId: string; quantity: number }[];
  readonly createdAt: string;
  readonly idempotencyKey: string | undefined;
  readonly fingerprint: string | undefined;
}

/** Decides and stores the requests (one transaction, `em`), in their order; returns each one's acceptance and events. */
export async function acceptOrders(
  em: EntityManager, requests: readonly OrderRequest[], log: Pick<EventLog, 'record'>,
): Promise<Outcome<Acceptance>[]> {
  const keys = [...new Set(requests.flatMap((r) => r.idempotencyKey === undefined ? [] : [r.idempotencyKey]))];
  const held = await holdKeys(em, keys);
  const earlier = await earlierAcceptances(em, [...held]);
  // Advisory locks are re-entrant within a session: a key twice in the batch is "held"
  // by both requests. The first one proceeds; a later one is in flight beside it (409),
  // as it would be if it had come while the first one's transaction was open.
  const claimed = new Set<string>();
  const stored: NewOrder[] = [];
  const outcomes = requests.map(({ order, idempotencyKey: key }): Outcome<Acceptance> => {
    const fingerprint = key === undefined ? undefined : orderFingerprint(order);
    if (key !== undefined) {
      if (!held.has(key) || claimed.has(key)) return { result: { outcome: 'key-in-use' }, events: [] };
      claimed.add(key);
      const before = earlier.get(key);
      if (before) {
        const result: Acceptance = before.requestHash === fingerprint
          ? { outcome: 'accepted', orderId: before.orderId, repeated: true }
          : { outcome: 'key-reused', orderId: before.orderId };
        return { result, events: [] };
      }
    }
    const accepted: NewOrder = {
      orderId: uuidv7(), order, createdAt: new Date().toISOString(), idempotencyKey: key, fingerprint,
      items: order.items.map(({ productId, quantity }) => ({ productId, quantity })),
    };
    stored.push(accepted);
    const { orderId, items, createdAt } = accepted;
    const events: OutgoingEvent[] = [
      orderCreated({ orderId, customerId: order.customerId, email: order.email, items, createdAt }),
      ...log.record('info', `accepted order ${orderId}${key ? ` (Idempotency-Key ${key})` : ''}`, orderId),
    ];
    return { result: { outcome: 'accepted', orderId, repeated: false }, events };
  });
  await storeOrders(em, stored);
  return outcomes;
}

/**
 * Holds the keys it can for the rest of the transaction (one statement); returns those.
 * A lock is taken without waiting: a key held elsewhere means a request with it is in
 * flight. Once the holder commits, its row is visible to the next taker's lookup.
 */
async function holdKeys(em: EntityManager, keys: readonly string[]): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  const rows = await em.execute<{ key: string; locked: boolean }[]>(
    'select k as key, pg_try_advisory_xact_lock(hashtextextended(k, 0)) as locked from jsonb_array_elements_text(?::jsonb) as k',
    [JSON.stringify(keys)],
  );
  return new Set(rows.filter((r) => r.locked).map((r) => r.key));
}

/**
 * The keys' rows, looked up by primary key. The keys go in as a list of literals: taken
 * from a set-returning function, the planner expected 100 of them and read the whole
 * table for every batch of orders. Exported for the plan test (query-plans.int).
 */
export const EARLIER_ACCEPTANCES = 'select key, request_hash, order_id from api.idempotency_keys where key in (?)';

/**
 * The orders accepted earlier under these keys. This must be a statement of its own,
 * after the one that took the locks: in READ COMMITTED a statement sees the rows
 * committed before it started, so a lookup in the locking statement could miss the row
 * of the previous holder, committed after our statement began but before we got its
 * lock, and accept the key a second time.
 */
async function earlierAcceptances(em: EntityManager, keys: readonly string[]): Promise<Map<string, Earlier>> {
  if (keys.length === 0) return new Map();
  const rows = await em.execute<{ key: string; request_hash: string; order_id: string }[]>(
    EARLIER_ACCEPTANCES,
    [keys],
  );
  return new Map(rows.map((r) => [r.key, { requestHash: r.request_hash, orderId: r.order_id }]));
}

/** The new orders and their keys, in one statement. */
async function storeOrders(em: EntityManager, stored: readonly NewOrder[]): Promise<void> {
  if (stored.length === 0) return;
  const requests = `insert into api.order_requests (order_id, customer_id, email, items, created_at)
     values ${stored.map(() => '(?, ?, ?, ?::jsonb, ?)').join(', ')}`;
  const requestValues = stored.flatMap((s) => [s.orderId, s.order.customerId, s.order.email, JSON.stringify(s.items), s.createdAt]);
  const keyed = stored.filter((s) => s.idempotencyKey !== undefined);
  if (keyed.length === 0) {
    await em.execute(requests, requestValues);
    return;
  }
  // the keys' foreign key is checked at the statement's end, when the orders of its WITH are in
  await em.execute(
    `with requests as (${requests})
     insert into api.idempotency_keys (key, request_hash, order_id) values ${keyed.map(() => '(?, ?, ?)').join(', ')}`,
    [...requestValues, ...keyed.flatMap((s) => [s.idempotencyKey, s.fingerprint, s.orderId])],
  );
}

/** sha256 of the order as canonical JSON (keys sorted), so key order in the body does not matter. */
export function orderFingerprint(order: CreateOrderRequest): string {
  return createHash('sha256').update(canonicalJson(order)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Idempotency keys are promised for at least 24 hours (openapi.yaml); older ones are forgotten. */
export async function forgetOldIdempotencyKeys(db: Database, retentionHours: number): Promise<number> {
  const hours = Math.max(24, retentionHours);
  const result = await db.em.fork().execute(
    'delete from api.idempotency_keys where created_at < now() - make_interval(hours => ?)', [hours], 'run',
  ) as unknown as { affectedRows?: number };
  return result.affectedRows ?? 0;
}
