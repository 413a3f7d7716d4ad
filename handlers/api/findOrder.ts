// Where an order stands: the accepted request, completed by every event the
// order-timeline service has recorded for it (the `Order` of openapi.yaml).
// Events may be recorded in any order; the furthest state reached wins.
import type {
  InvoiceCreated, Money, OrderItem, OrderLine, OrderPersisted, OrderRejected, PaymentFailed, PaymentSucceeded,
} from '../../generated/types.ts';
import type { Database } from '../../runtime/db.ts';

export type OrderStatus = 'ACCEPTED' | 'PERSISTED' | 'REJECTED' | 'PAID' | 'INVOICED' | 'CANCELLED';

export interface OrderLineView {
  readonly productId: string;
  readonly name: string | null;
  readonly quantity: number;
  readonly unitPrice: Money | null;
  readonly lineTotal: Money | null;
}

export interface OrderView {
  readonly orderId: string;
  readonly customerId: string;
  readonly email: string;
  readonly status: OrderStatus;
  readonly rejectionReason: string | null;
  readonly lines: OrderLineView[];
  readonly total: Money | null;
  readonly invoiceId: string | null;
  readonly invoiceNumber: string | null;
  readonly timeline: { type: string; at: string; messageId: string }[];
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

interface RequestRow { order_id: string; customer_id: string; email: string; items: OrderItem[] | string }
interface EventRow { message_id: string; type: string; at: Date | string; payload: unknown }

/** The order, or undefined when no order with this id was accepted. */
export async function findOrder(db: Database, orderId: string): Promise<OrderView | undefined> {
  const em = db.em.fork();
  const [request] = await em.execute<RequestRow[]>(
    'select order_id, customer_id, email, items from api.order_requests where order_id = ?', [orderId]);
  if (!request) return undefined;
  const events = await em.execute<EventRow[]>(
    'select message_id, type, at, payload from timeline.order_events where order_id = ? order by at, message_id', [orderId]);
  return orderView(request, events);
}

function orderView(request: RequestRow, events: EventRow[]): OrderView {
  const latest = <T>(type: string): T | undefined => {
    const found = events.filter((e) => e.type === type).at(-1);
    return found ? json<T>(found.payload) : undefined;
  };
  const persisted = latest<OrderPersisted>('OrderPersisted');
  const paid = latest<PaymentSucceeded>('PaymentSucceeded');
  const invoiced = latest<InvoiceCreated>('InvoiceCreated');
  const rejected = latest<OrderRejected>('OrderRejected');
  const paymentFailed = latest<PaymentFailed>('PaymentFailed');

  const status = events.reduce<OrderStatus>((furthest, e) => {
    const reached = STATUS_BY_EVENT[e.type];
    return reached && STATUS_RANK.indexOf(reached) > STATUS_RANK.indexOf(furthest) ? reached : furthest;
  }, 'ACCEPTED');

  // Priced lines come with OrderPersisted; PaymentSucceeded and InvoiceCreated carry
  // them too, should the timeline have recorded those first.
  const priced: readonly OrderLine[] | undefined = persisted?.lines ?? paid?.lines ?? invoiced?.lines;
  const lines: OrderLineView[] = priced
    ? priced.map(({ productId, name, quantity, unitPrice, lineTotal }) => ({ productId, name, quantity, unitPrice, lineTotal }))
    : json<OrderItem[]>(request.items).map(({ productId, quantity }) => ({ productId, name: null, quantity, unitPrice: null, lineTotal: null }));
  const total = persisted?.total ?? invoiced?.total ?? paid?.amount ?? null;

  return {
    orderId: request.order_id,
    customerId: request.customer_id,
    email: request.email,
    status,
    rejectionReason: rejectionReason(status, rejected, paymentFailed),
    lines,
    total: total ? { amount: total.amount, currency: total.currency } : null,
    invoiceId: invoiced?.invoiceId ?? null,
    invoiceNumber: invoiced?.invoiceNumber ?? null,
    timeline: events.map((e) => ({ type: e.type, at: new Date(e.at).toISOString(), messageId: e.message_id })),
  };
}

function rejectionReason(status: OrderStatus, rejected?: OrderRejected, paymentFailed?: PaymentFailed): string | null {
  if (status === 'REJECTED') return rejected?.detail ?? 'Rejected';
  if (status === 'CANCELLED') return paymentFailed ? `Payment failed: ${paymentFailed.reason}` : 'Payment failed';
  return null;
}

function json<T>(value: unknown): T {
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}
