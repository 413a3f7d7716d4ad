// Accepts a customer's order: the request is stored, and the handler returns the
// events that announce it (OrderCreated and its log record); the runtime writes them
// to the outbox in the same transaction (runtime/http/commit.ts), so an accepted
// order cannot be lost and is announced exactly once. With an Idempotency-Key, a
// retry of the same order gets the same order back and announces nothing.
import { createHash, randomUUID } from 'node:crypto';
import type { CreateOrderRequest } from '../../generated/http/types.ts';
import { orderCreated } from '../../generated/services/api.ts';
import type { OutgoingEvent } from '../../generated/types.ts';
import type { Database, EntityManager } from '../../runtime/db.ts';
import type { EventLog } from '../../runtime/event-log.ts';
import type { Outcome } from '../../runtime/http/commit.ts';

export type Acceptance =
  /** Stored now, or earlier under the same key with the same order (`repeated`). */
  | { readonly outcome: 'accepted'; readonly orderId: string; readonly repeated: boolean }
  /** Another request with this key is being accepted right now. */
  | { readonly outcome: 'key-in-use' }
  /** The key was used before for a different order. */
  | { readonly outcome: 'key-reused'; readonly orderId: string };

export async function acceptOrder(
  em: EntityManager, order: CreateOrderRequest, idempotencyKey: string | undefined, log: Pick<EventLog, 'record'>,
): Promise<Outcome<Acceptance>> {
  const fingerprint = orderFingerprint(order);
  if (idempotencyKey !== undefined) {
    const earlier = await earlierAcceptance(em, idempotencyKey, fingerprint);
    if (earlier) return { result: earlier, events: [] };
  }
  const orderId = randomUUID();
  const createdAt = new Date().toISOString();
  const items = order.items.map(({ productId, quantity }) => ({ productId, quantity }));
  await em.execute(
    'insert into api.order_requests (order_id, customer_id, email, items, created_at) values (?, ?, ?, ?::jsonb, ?)',
    [orderId, order.customerId, order.email, JSON.stringify(items), createdAt],
  );
  if (idempotencyKey !== undefined) {
    await em.execute('insert into api.idempotency_keys (key, request_hash, order_id) values (?, ?, ?)', [idempotencyKey, fingerprint, orderId]);
  }
  const events: OutgoingEvent[] = [
    orderCreated({ orderId, customerId: order.customerId, email: order.email, items, createdAt }),
    ...log.record('info', `accepted order ${orderId}${idempotencyKey ? ` (Idempotency-Key ${idempotencyKey})` : ''}`, orderId),
  ];
  return { result: { outcome: 'accepted', orderId, repeated: false }, events };
}

/**
 * Holds the key for the rest of the transaction, then looks for an order accepted
 * under it. The lock is taken without waiting: a holder means a request with this
 * key is in flight. Once the holder commits, its row is visible to the next taker.
 */
async function earlierAcceptance(em: EntityManager, key: string, fingerprint: string): Promise<Acceptance | undefined> {
  const [{ locked }] = await em.execute<{ locked: boolean }[]>('select pg_try_advisory_xact_lock(hashtextextended(?, 0)) as locked', [key]);
  if (!locked) return { outcome: 'key-in-use' };
  const [earlier] = await em.execute<{ request_hash: string; order_id: string }[]>(
    'select request_hash, order_id from api.idempotency_keys where key = ?', [key]);
  if (!earlier) return undefined;
  return earlier.request_hash === fingerprint
    ? { outcome: 'accepted', orderId: earlier.order_id, repeated: true }
    : { outcome: 'key-reused', orderId: earlier.order_id };
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
