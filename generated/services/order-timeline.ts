// Generated from asyncapi.yaml by templates/ (npm run generate). Do not edit.

/** order-timeline: Records every order event for GET /orders/{orderId}. */
import type { OutgoingEvent, InvoiceCreated, OrderCancelled, OrderCreated, OrderPersisted, OrderRejected, PaymentFailed, PaymentSucceeded } from '../types.ts';
import type { HandlerContext } from '../../runtime/handler-context.ts';

export const serviceName = "order-timeline";

/** What order-timeline must implement: one handler per message it receives. */
export interface OrderTimelineHandlers {
  /** orderTimeline_onInvoiceCreated */
  onInvoiceCreated(message: InvoiceCreated, ctx: HandlerContext): Promise<readonly never[]>;
  /** orderTimeline_onOrderCancelled */
  onOrderCancelled(message: OrderCancelled, ctx: HandlerContext): Promise<readonly never[]>;
  /** orderTimeline_onOrderCreated */
  onOrderCreated(message: OrderCreated, ctx: HandlerContext): Promise<readonly never[]>;
  /** orderTimeline_onOrderPersisted */
  onOrderPersisted(message: OrderPersisted, ctx: HandlerContext): Promise<readonly never[]>;
  /** orderTimeline_onOrderRejected */
  onOrderRejected(message: OrderRejected, ctx: HandlerContext): Promise<readonly never[]>;
  /** orderTimeline_onPaymentFailed */
  onPaymentFailed(message: PaymentFailed, ctx: HandlerContext): Promise<readonly never[]>;
  /** orderTimeline_onPaymentSucceeded */
  onPaymentSucceeded(message: PaymentSucceeded, ctx: HandlerContext): Promise<readonly never[]>;
}
