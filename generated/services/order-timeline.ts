// Generated from asyncapi.yaml by templates/ (npm run generate). Do not edit.

/** order-timeline: Records every order event for GET /orders/{orderId}. */
import type { OutgoingEvent, InvoiceCreated, OrderCancelled, OrderCreated, OrderPersisted, OrderRejected, PaymentFailed, PaymentSucceeded } from '../types.ts';
import type { HandlerContext } from '../../runtime/handler-context.ts';
import type { Config } from '../../runtime/config.ts';
import type { ServiceModule, ServiceOptions } from '../../runtime/service.ts';

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

/** What handlers/order-timeline/index.ts gives defineOrderTimeline: its handlers and its options. */
export interface OrderTimelineDefinition extends ServiceOptions {
  /** One method per message order-timeline receives, or a function building them from the configuration. */
  readonly handlers: OrderTimelineHandlers | ((config: Config) => OrderTimelineHandlers);
}

/** order-timeline as the host runs it, named as in the contract. */
export function defineOrderTimeline(definition: OrderTimelineDefinition): ServiceModule<"order-timeline"> {
  return { ...definition, name: serviceName };
}
