// order-timeline's read side, for the api's GET /orders/{orderId}: where an order
// stands according to the events recorded for it. Events may be recorded in any
// order; the furthest state reached wins. Other services read the timeline only
// through this module (and register `readEntities` with their database), never its table.
import type { EntityManager } from '@mikro-orm/postgresql';
import type { OrderStatus, TimelineEntry } from '../../generated/http/types.ts';
import type {
  InvoiceCreated, Money, OrderLine, OrderPersisted, OrderRejected, PaymentFailed, PaymentSucceeded,
} from '../../generated/types.ts';
import { OrderEvent } from './order-event.ts';

/** The entities this module reads through: a reader's database must know them. */
export const readEntities = [OrderEvent];
/** The tables behind them: a reader's database role may read these. */
export const readTables = ['timeline.order_events'];

export interface OrderProgress {
  readonly status: OrderStatus;
  /** Why the order was rejected or cancelled; null otherwise. */
  readonly rejectionReason: string | null;
  /** The priced lines, once an event carrying them is recorded. */
  readonly pricedLines: readonly OrderLine[] | undefined;
  readonly total: Money | null;
  readonly invoiceId: string | null;
  readonly invoiceNumber: string | null;
  /** Every recorded event, oldest first. */
  readonly timeline: TimelineEntry[];
}

/** The state each event proves the order has reached, from least to most advanced. */
const STATUS_RANK: readonly OrderStatus[] = ['ACCEPTED', 'PERSISTED', 'REJECTED', 'PAID', 'INVOICED', 'CANCELLED'];
const STATUS_BY_EVENT: Readonly<Record<string, OrderStatus>> = {
  OrderPersisted: 'PERSISTED',
  PaymentFailed: 'PERSISTED', // failed, not yet cancelled: still a persisted order
  OrderRejected: 'REJECTED',
  PaymentSucceeded: 'PAID',
  InvoiceCreated: 'INVOICED',
  OrderCancelled: 'CANCELLED',
};

/** The order's progress; ACCEPTED with an empty timeline when nothing is recorded for it (yet). */
export async function orderProgress(em: EntityManager, orderId: string): Promise<OrderProgress> {
  const events = await em.find(OrderEvent, { orderId }, { orderBy: [{ at: 'asc' }, { messageId: 'asc' }] });
  return progressOf(events);
}

interface RecordedEvent { readonly messageId: string; readonly type: string; readonly at: Date; readonly payload: object }

function progressOf(events: readonly RecordedEvent[]): OrderProgress {
  const latest = <T>(type: string): T | undefined => events.findLast((e) => e.type === type)?.payload as T | undefined;
  const persisted = latest<OrderPersisted>('OrderPersisted');
  const paid = latest<PaymentSucceeded>('PaymentSucceeded');
  const invoiced = latest<InvoiceCreated>('InvoiceCreated');

  const status = events.reduce<OrderStatus>((furthest, e) => {
    const reached = STATUS_BY_EVENT[e.type];
    return reached && STATUS_RANK.indexOf(reached) > STATUS_RANK.indexOf(furthest) ? reached : furthest;
  }, 'ACCEPTED');
  const total = persisted?.total ?? invoiced?.total ?? paid?.amount ?? null;

  return {
    status,
    rejectionReason: rejectionReason(status, latest<OrderRejected>('OrderRejected'), latest<PaymentFailed>('PaymentFailed')),
    // priced lines come with OrderPersisted; PaymentSucceeded and InvoiceCreated carry
    // them too, should the timeline have recorded those first
    pricedLines: persisted?.lines ?? paid?.lines ?? invoiced?.lines,
    total: total ? { amount: total.amount, currency: total.currency } : null,
    invoiceId: invoiced?.invoiceId ?? null,
    invoiceNumber: invoiced?.invoiceNumber ?? null,
    timeline: events.map((e) => ({ type: e.type, at: e.at.toISOString(), messageId: e.messageId })),
  };
}

function rejectionReason(status: OrderStatus, rejected?: OrderRejected, paymentFailed?: PaymentFailed): string | null {
  if (status === 'REJECTED') return rejected?.detail ?? 'Rejected';
  if (status === 'CANCELLED') return paymentFailed ? `Payment failed: ${paymentFailed.reason}` : 'Payment failed';
  return null;
}
