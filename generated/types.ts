// Generated from asyncapi.yaml by templates/ (npm run generate). Do not edit.

/** AMQP headers every message carries. messageId, correlationId (the order id), type (the message name), timestamp and appId (the sending service) travel as AMQP properties; retry bookkeeping headers (x-attempt, x-first-failure-at) are added by the runtime. */
export interface EnvelopeHeaders {
  /** messageId of the message that caused this one (its own id for a root event). */
  readonly "causation-id": string;
  /** W3C trace context. */
  readonly traceparent: string;
  /** Delivery attempt this copy belongs to, set by the retry mechanism. */
  readonly "x-attempt"?: number;
  readonly [extra: string]: unknown;
}

/** Invoice created: A numbered invoice was issued for a paid order. */
export interface InvoiceCreated {
  readonly invoiceId: string;
  readonly invoiceNumber: string;
  readonly orderId: string;
  readonly customerId: string;
  readonly email: string;
  readonly lines: OrderLine[];
  readonly total: Money;
  readonly issuedAt: string;
}

/** Log emitted: Structured log records of a service, as its transactions wrote them. */
export interface LogEmitted {
  readonly service: string;
  /** In the order they were written, by one or many transactions of the service. */
  readonly records: LogRecord[];
}

export interface LogRecord {
  readonly level: "debug" | "info" | "warn" | "error";
  readonly message: string;
  readonly orderId?: string;
  readonly messageId?: string;
  readonly error?: string;
  readonly at: string;
}

/** An amount in integer minor units (cents) with its ISO 4217 currency code. */
export interface Money {
  readonly amount: number;
  readonly currency: string;
}

/** Order cancelled: A persisted order was cancelled and the stock of its lines restored. */
export interface OrderCancelled {
  readonly orderId: string;
  readonly reason: "PAYMENT_FAILED";
  readonly restoredItems: OrderItem[];
  readonly cancelledAt: string;
}

/** Order created: A customer's order was accepted over HTTP and is waiting to be stored. */
export interface OrderCreated {
  readonly orderId: string;
  readonly customerId: string;
  readonly email: string;
  readonly items: OrderItem[];
  readonly createdAt: string;
}

export interface OrderItem {
  readonly productId: string;
  readonly quantity: number;
}

/** An order line priced from the catalog. */
export interface OrderLine {
  readonly productId: string;
  readonly name: string;
  readonly quantity: number;
  readonly unitPrice: Money;
  readonly lineTotal: Money;
}

/** Order persisted: The order was stored, its lines priced from the catalog and its stock reserved. */
export interface OrderPersisted {
  readonly orderId: string;
  readonly customerId: string;
  readonly email: string;
  readonly lines: OrderLine[];
  readonly total: Money;
  readonly persistedAt: string;
}

/** Order rejected: The order could not be accepted; no stock was reserved. */
export interface OrderRejected {
  readonly orderId: string;
  readonly customerId: string;
  readonly email: string;
  /** UNKNOWN_PRODUCT when a line names no catalog product, else INSUFFICIENT_STOCK when the stock cannot cover it, else AMOUNT_TOO_LARGE when a line total or the order total, priced from the catalog, is beyond what an order can hold (2147483647 minor units). */
  readonly reason: "UNKNOWN_PRODUCT" | "INSUFFICIENT_STOCK" | "AMOUNT_TOO_LARGE";
  readonly detail: string;
  /** The lines with a stock problem (UNKNOWN_PRODUCT, INSUFFICIENT_STOCK); empty for AMOUNT_TOO_LARGE. */
  readonly problems: StockProblem[];
  readonly rejectedAt: string;
}

/** Payment failed: The payment gateway declined the order's payment. */
export interface PaymentFailed {
  readonly orderId: string;
  readonly paymentId: string;
  readonly customerId: string;
  readonly email: string;
  readonly amount: Money;
  readonly reason: string;
  readonly failedAt: string;
}

/** Payment succeeded: The order's total was charged; carries everything an invoice needs. */
export interface PaymentSucceeded {
  readonly orderId: string;
  readonly paymentId: string;
  readonly customerId: string;
  readonly email: string;
  readonly lines: OrderLine[];
  readonly amount: Money;
  readonly paidAt: string;
}

export interface StockProblem {
  readonly productId: string;
  readonly requested: number;
  /** Stock on hand when the order was checked; null for an unknown product. */
  readonly available: number | null;
}

/** Every message of the contract, by name. */
export interface MessagePayloads {
  InvoiceCreated: InvoiceCreated;
  LogEmitted: LogEmitted;
  OrderCancelled: OrderCancelled;
  OrderCreated: OrderCreated;
  OrderPersisted: OrderPersisted;
  OrderRejected: OrderRejected;
  PaymentFailed: PaymentFailed;
  PaymentSucceeded: PaymentSucceeded;
}

export type MessageName = keyof MessagePayloads;

/** An event as a handler returns it: the runtime adds the envelope and writes it to the outbox. */
export type OutgoingEvent<N extends MessageName = MessageName> = N extends MessageName
  ? { readonly type: N; readonly payload: MessagePayloads[N] }
  : never;
