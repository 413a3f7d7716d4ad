// Generated from openapi.yaml by tools/generate-http.ts (npm run generate). Do not edit.

export interface CreateOrderRequest {
  readonly customerId: string;
  /** Where order confirmations, invoices and cancellations are sent. */
  readonly email: string;
  readonly items: OrderLineRequest[];
}

export type DependencyState = "up" | "down";

export interface FieldError {
  /** JSON pointer to the invalid value in the request body (e.g. `/items/0/quantity`; the empty string is the whole body). For a path parameter or header it is `/` followed by its name, e.g. `/orderId`. */
  readonly field: string;
  readonly message: string;
}

export interface Health {
  readonly status: "ok";
}

/** An amount of money in minor units of its currency (cents for EUR). */
export interface Money {
  /** Amount in minor units, e.g. 12995 for 129.95 EUR; at most 2147483647 (21,474,836.47 EUR). */
  readonly amount: number;
  /** ISO 4217 currency code. */
  readonly currency: string;
}

export interface Order {
  readonly orderId: string;
  readonly customerId: string;
  readonly email: string;
  readonly status: OrderStatus;
  /** Why the order was rejected or cancelled; null otherwise. */
  readonly rejectionReason: string | null;
  readonly lines: OrderLine[];
  /** Sum of the line totals; null while the order is not priced. */
  readonly total: Money | null;
  readonly invoiceId: string | null;
  readonly invoiceNumber: string | null;
  /** Every event seen for this order, oldest first. */
  readonly timeline: TimelineEntry[];
}

export interface OrderAccepted {
  readonly orderId: string;
  readonly status: "ACCEPTED";
}

/** One ordered product. `name`, `unitPrice` and `lineTotal` are null until store-order has priced the line from the catalog (and stay null for an unknown product). */
export interface OrderLine {
  readonly productId: ProductId;
  readonly name: string | null;
  readonly quantity: number;
  readonly unitPrice: Money | null;
  readonly lineTotal: Money | null;
}

export interface OrderLineRequest {
  readonly productId: ProductId;
  readonly quantity: number;
}

/**
 * - `ACCEPTED`: stored by the api service, `OrderCreated` on its way
 * - `PERSISTED`: stored, priced and stock reserved; awaiting payment
 * - `REJECTED`: refused by store-order (unknown product, not enough stock, a total too large to hold); see `rejectionReason`
 * - `PAID`: payment succeeded
 * - `INVOICED`: invoice created; see `invoiceId` and `invoiceNumber`
 * - `CANCELLED`: payment failed, order cancelled and stock restored; see `rejectionReason`
 */
export type OrderStatus = "ACCEPTED" | "PERSISTED" | "REJECTED" | "PAID" | "INVOICED" | "CANCELLED";

/** RFC 9457 problem details. */
export interface Problem {
  /** Identifies the kind of problem. */
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail?: string;
  /** The request path the problem occurred on. */
  readonly instance?: string;
}

export interface Product {
  readonly productId: ProductId;
  readonly name: string;
  readonly price: Money;
  readonly stockOnHand: number;
}

/** Catalog product code. */
export type ProductId = string;

export interface ProductList {
  readonly products: Product[];
}

/** RFC 9457 problem details for a client over its order limit, naming the limit. */
export interface RateLimitProblem {
  readonly type: string;
  readonly title: string;
  readonly status: 429;
  readonly detail?: string;
  readonly instance?: string;
  /** Orders one client may place per window. */
  readonly limit: number;
  /** Length of the window in seconds. */
  readonly windowSeconds: number;
  /** Seconds until an order is accepted again (as in `Retry-After`). */
  readonly retryAfterSeconds: number;
}

export interface Readiness {
  readonly status: "ready";
  /** Every dependency is up when the service is ready. */
  readonly checks: {
    readonly broker: "up";
    readonly database: "up";
  };
}

export interface ReadinessChecks {
  readonly broker: DependencyState;
  readonly database: DependencyState;
}

/** RFC 9457 problem details saying which dependency is down. */
export interface ReadinessProblem {
  readonly type: string;
  readonly title: string;
  readonly status: 503;
  readonly detail?: string;
  readonly instance?: string;
  readonly checks: ReadinessChecks;
}

export interface TimelineEntry {
  /** Name of the event, e.g. OrderCreated, PaymentSucceeded. */
  readonly type: string;
  /** When the event was emitted. */
  readonly at: string;
  /** The event's AMQP messageId. */
  readonly messageId: string;
}

/** RFC 9457 problem details with the list of invalid fields: at most 10, and `truncated: true` when validation stopped before listing every one. */
export interface ValidationProblem {
  readonly type: string;
  readonly title: string;
  readonly status: 400;
  readonly detail?: string;
  readonly instance?: string;
  readonly errors: FieldError[];
  /** Present and true when more invalid fields may exist than `errors` lists. */
  readonly truncated?: boolean;
}
