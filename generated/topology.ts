// Generated from asyncapi.yaml by templates/ (npm run generate). Do not edit.

export interface ExchangeDeclaration { readonly name: string; readonly type: string; readonly durable: boolean }
export interface QueueBinding { readonly exchange: string; readonly routingKey: string; readonly message: string }
export interface ConsumerTopology {
  readonly service: string;
  /** Quorum queue the service consumes from. */
  readonly queue: string;
  /** Where messages end after the last retry, when invalid, or past the delivery limit. */
  readonly deadLetterQueue: string;
  readonly deliveryLimit: number;
  readonly deadLetterStrategy: string;
  /** Default growing delays of the retry wait queues (RETRY_DELAYS_MS overrides them). */
  readonly retryDelaysMs: readonly number[];
  readonly bindings: readonly QueueBinding[];
}

export const exchanges: readonly ExchangeDeclaration[] = [
  {
    "name": "shop.invoices",
    "type": "topic",
    "durable": true
  },
  {
    "name": "shop.logs",
    "type": "topic",
    "durable": true
  },
  {
    "name": "shop.orders",
    "type": "topic",
    "durable": true
  },
  {
    "name": "shop.payments",
    "type": "topic",
    "durable": true
  }
];

export const consumers: readonly ConsumerTopology[] = [
  {
    "service": "cancel-email",
    "queue": "cancel-email",
    "deadLetterQueue": "cancel-email.dlq",
    "deliveryLimit": 5,
    "deadLetterStrategy": "at-least-once",
    "retryDelaysMs": [
      1000,
      5000,
      30000
    ],
    "bindings": [
      {
        "exchange": "shop.orders",
        "routingKey": "order.rejected",
        "message": "OrderRejected"
      },
      {
        "exchange": "shop.payments",
        "routingKey": "payment.failed",
        "message": "PaymentFailed"
      }
    ]
  },
  {
    "service": "cancel-order",
    "queue": "cancel-order",
    "deadLetterQueue": "cancel-order.dlq",
    "deliveryLimit": 5,
    "deadLetterStrategy": "at-least-once",
    "retryDelaysMs": [
      1000,
      5000,
      30000
    ],
    "bindings": [
      {
        "exchange": "shop.payments",
        "routingKey": "payment.failed",
        "message": "PaymentFailed"
      }
    ]
  },
  {
    "service": "invoice",
    "queue": "invoice",
    "deadLetterQueue": "invoice.dlq",
    "deliveryLimit": 5,
    "deadLetterStrategy": "at-least-once",
    "retryDelaysMs": [
      1000,
      5000,
      30000
    ],
    "bindings": [
      {
        "exchange": "shop.payments",
        "routingKey": "payment.succeeded",
        "message": "PaymentSucceeded"
      }
    ]
  },
  {
    "service": "invoice-email",
    "queue": "invoice-email",
    "deadLetterQueue": "invoice-email.dlq",
    "deliveryLimit": 5,
    "deadLetterStrategy": "at-least-once",
    "retryDelaysMs": [
      1000,
      5000,
      30000
    ],
    "bindings": [
      {
        "exchange": "shop.invoices",
        "routingKey": "invoice.created",
        "message": "InvoiceCreated"
      }
    ]
  },
  {
    "service": "log-persistence",
    "queue": "log-persistence",
    "deadLetterQueue": "log-persistence.dlq",
    "deliveryLimit": 5,
    "deadLetterStrategy": "at-least-once",
    "retryDelaysMs": [
      1000,
      5000,
      30000
    ],
    "bindings": [
      {
        "exchange": "shop.logs",
        "routingKey": "log.emitted",
        "message": "LogEmitted"
      }
    ]
  },
  {
    "service": "order-confirmation-email",
    "queue": "order-confirmation-email",
    "deadLetterQueue": "order-confirmation-email.dlq",
    "deliveryLimit": 5,
    "deadLetterStrategy": "at-least-once",
    "retryDelaysMs": [
      1000,
      5000,
      30000
    ],
    "bindings": [
      {
        "exchange": "shop.payments",
        "routingKey": "payment.succeeded",
        "message": "PaymentSucceeded"
      }
    ]
  },
  {
    "service": "order-timeline",
    "queue": "order-timeline",
    "deadLetterQueue": "order-timeline.dlq",
    "deliveryLimit": 5,
    "deadLetterStrategy": "at-least-once",
    "retryDelaysMs": [
      1000,
      5000,
      30000
    ],
    "bindings": [
      {
        "exchange": "shop.invoices",
        "routingKey": "invoice.created",
        "message": "InvoiceCreated"
      },
      {
        "exchange": "shop.orders",
        "routingKey": "order.cancelled",
        "message": "OrderCancelled"
      },
      {
        "exchange": "shop.orders",
        "routingKey": "order.created",
        "message": "OrderCreated"
      },
      {
        "exchange": "shop.orders",
        "routingKey": "order.persisted",
        "message": "OrderPersisted"
      },
      {
        "exchange": "shop.orders",
        "routingKey": "order.rejected",
        "message": "OrderRejected"
      },
      {
        "exchange": "shop.payments",
        "routingKey": "payment.failed",
        "message": "PaymentFailed"
      },
      {
        "exchange": "shop.payments",
        "routingKey": "payment.succeeded",
        "message": "PaymentSucceeded"
      }
    ]
  },
  {
    "service": "payment",
    "queue": "payment",
    "deadLetterQueue": "payment.dlq",
    "deliveryLimit": 5,
    "deadLetterStrategy": "at-least-once",
    "retryDelaysMs": [
      1000,
      5000,
      30000
    ],
    "bindings": [
      {
        "exchange": "shop.orders",
        "routingKey": "order.persisted",
        "message": "OrderPersisted"
      }
    ]
  },
  {
    "service": "store-order",
    "queue": "store-order",
    "deadLetterQueue": "store-order.dlq",
    "deliveryLimit": 5,
    "deadLetterStrategy": "at-least-once",
    "retryDelaysMs": [
      1000,
      5000,
      30000
    ],
    "bindings": [
      {
        "exchange": "shop.orders",
        "routingKey": "order.created",
        "message": "OrderCreated"
      }
    ]
  }
];

/** Name of the TTL wait queue that holds a message for delayMs before it returns to queue. */
export function waitQueueName(queue: string, delayMs: number): string {
  return "{queue}.wait.{delayMs}ms".replace('{queue}', queue).replace('{delayMs}', String(delayMs));
}
