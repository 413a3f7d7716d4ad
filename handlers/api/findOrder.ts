// Where an order stands (the `Order` of openapi.yaml): the request the api accepted,
// completed by the order's progress as order-timeline has recorded it (read through
// its read module). Until store-order prices the lines, they are the requested ones.
import type { Order, OrderLine } from '../../generated/http/types.ts';
import type { OrderItem } from '../../generated/types.ts';
import type { EntityManager } from '../../runtime/db.ts';
import { orderProgress } from '../order-timeline/read.ts';

interface RequestRow { order_id: string; customer_id: string; email: string; items: OrderItem[] }

/** The order, or undefined when no order with this id was accepted. */
export async function findOrder(em: EntityManager, orderId: string): Promise<Order | undefined> {
  const [request] = await em.execute<RequestRow[]>(
    'select order_id, customer_id, email, items from api.order_requests where order_id = ?', [orderId]);
  if (!request) return undefined;
  const progress = await orderProgress(em, orderId);
  const lines: OrderLine[] = progress.pricedLines
    ? progress.pricedLines.map(({ productId, name, quantity, unitPrice, lineTotal }) => ({ productId, name, quantity, unitPrice, lineTotal }))
    : request.items.map(({ productId, quantity }) => ({ productId, name: null, quantity, unitPrice: null, lineTotal: null }));
  return {
    orderId: request.order_id,
    customerId: request.customer_id,
    email: request.email,
    status: progress.status,
    rejectionReason: progress.rejectionReason,
    lines,
    total: progress.total,
    invoiceId: progress.invoiceId,
    invoiceNumber: progress.invoiceNumber,
    timeline: progress.timeline,
  };
}
