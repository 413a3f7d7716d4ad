// Generated from asyncapi.yaml by templates/ (npm run generate). Do not edit.

import type { ErrorObject } from 'ajv';
import type { MessageName } from './types.ts';
import validateInvoiceCreated from './validators/InvoiceCreated.js';
import validateLogEmitted from './validators/LogEmitted.js';
import validateOrderCancelled from './validators/OrderCancelled.js';
import validateOrderCreated from './validators/OrderCreated.js';
import validateOrderPersisted from './validators/OrderPersisted.js';
import validateOrderRejected from './validators/OrderRejected.js';
import validatePaymentFailed from './validators/PaymentFailed.js';
import validatePaymentSucceeded from './validators/PaymentSucceeded.js';

export interface MessageRoute {
  readonly name: MessageName;
  readonly exchange: string;
  readonly routingKey: string;
  /** At most 10 errors; `truncated` when more may exist (the generated validators bound their work). */
  readonly validate: { (data: unknown): boolean; errors?: ErrorObject[] | null; truncated?: boolean };
}

/** Every message: where it is published and how it is validated. */
export const messages: { readonly [N in MessageName]: MessageRoute } = {
  InvoiceCreated: { name: "InvoiceCreated", exchange: "shop.invoices", routingKey: "invoice.created", validate: validateInvoiceCreated },
  LogEmitted: { name: "LogEmitted", exchange: "shop.logs", routingKey: "log.emitted", validate: validateLogEmitted },
  OrderCancelled: { name: "OrderCancelled", exchange: "shop.orders", routingKey: "order.cancelled", validate: validateOrderCancelled },
  OrderCreated: { name: "OrderCreated", exchange: "shop.orders", routingKey: "order.created", validate: validateOrderCreated },
  OrderPersisted: { name: "OrderPersisted", exchange: "shop.orders", routingKey: "order.persisted", validate: validateOrderPersisted },
  OrderRejected: { name: "OrderRejected", exchange: "shop.orders", routingKey: "order.rejected", validate: validateOrderRejected },
  PaymentFailed: { name: "PaymentFailed", exchange: "shop.payments", routingKey: "payment.failed", validate: validatePaymentFailed },
  PaymentSucceeded: { name: "PaymentSucceeded", exchange: "shop.payments", routingKey: "payment.succeeded", validate: validatePaymentSucceeded },
};

export interface ServiceOperations {
  readonly name: string;
  readonly queue: string | null;
  readonly receives: readonly { readonly operationId: string; readonly message: MessageName; readonly handler: string }[];
  /** Everything the service may send, its share of the cross-cutting sends included. */
  readonly sends: readonly MessageName[];
  /** The sends it has from operations marked x-every-service (declared once for all services). */
  readonly everyServiceSends: readonly MessageName[];
}

/** Every service: the messages it receives (and the handler method for each) and sends. */
export const services: { readonly [name: string]: ServiceOperations } = {
  "api": {
    name: "api",
    queue: null,
    receives: [],
    sends: ["LogEmitted", "OrderCreated"],
    everyServiceSends: ["LogEmitted"],
  },
  "cancel-email": {
    name: "cancel-email",
    queue: "cancel-email",
    receives: [{ operationId: "cancelEmail_onOrderRejected", message: "OrderRejected", handler: "onOrderRejected" }, { operationId: "cancelEmail_onPaymentFailed", message: "PaymentFailed", handler: "onPaymentFailed" }],
    sends: ["LogEmitted"],
    everyServiceSends: ["LogEmitted"],
  },
  "cancel-order": {
    name: "cancel-order",
    queue: "cancel-order",
    receives: [{ operationId: "cancelOrder_onPaymentFailed", message: "PaymentFailed", handler: "onPaymentFailed" }],
    sends: ["LogEmitted", "OrderCancelled"],
    everyServiceSends: ["LogEmitted"],
  },
  "invoice": {
    name: "invoice",
    queue: "invoice",
    receives: [{ operationId: "invoice_onPaymentSucceeded", message: "PaymentSucceeded", handler: "onPaymentSucceeded" }],
    sends: ["InvoiceCreated", "LogEmitted"],
    everyServiceSends: ["LogEmitted"],
  },
  "invoice-email": {
    name: "invoice-email",
    queue: "invoice-email",
    receives: [{ operationId: "invoiceEmail_onInvoiceCreated", message: "InvoiceCreated", handler: "onInvoiceCreated" }],
    sends: ["LogEmitted"],
    everyServiceSends: ["LogEmitted"],
  },
  "log-persistence": {
    name: "log-persistence",
    queue: "log-persistence",
    receives: [{ operationId: "logPersistence_onLogEmitted", message: "LogEmitted", handler: "onLogEmitted" }],
    sends: [],
    everyServiceSends: [],
  },
  "order-confirmation-email": {
    name: "order-confirmation-email",
    queue: "order-confirmation-email",
    receives: [{ operationId: "orderConfirmationEmail_onPaymentSucceeded", message: "PaymentSucceeded", handler: "onPaymentSucceeded" }],
    sends: ["LogEmitted"],
    everyServiceSends: ["LogEmitted"],
  },
  "order-timeline": {
    name: "order-timeline",
    queue: "order-timeline",
    receives: [{ operationId: "orderTimeline_onInvoiceCreated", message: "InvoiceCreated", handler: "onInvoiceCreated" }, { operationId: "orderTimeline_onOrderCancelled", message: "OrderCancelled", handler: "onOrderCancelled" }, { operationId: "orderTimeline_onOrderCreated", message: "OrderCreated", handler: "onOrderCreated" }, { operationId: "orderTimeline_onOrderPersisted", message: "OrderPersisted", handler: "onOrderPersisted" }, { operationId: "orderTimeline_onOrderRejected", message: "OrderRejected", handler: "onOrderRejected" }, { operationId: "orderTimeline_onPaymentFailed", message: "PaymentFailed", handler: "onPaymentFailed" }, { operationId: "orderTimeline_onPaymentSucceeded", message: "PaymentSucceeded", handler: "onPaymentSucceeded" }],
    sends: [],
    everyServiceSends: [],
  },
  "payment": {
    name: "payment",
    queue: "payment",
    receives: [{ operationId: "payment_onOrderPersisted", message: "OrderPersisted", handler: "onOrderPersisted" }],
    sends: ["LogEmitted", "PaymentFailed", "PaymentSucceeded"],
    everyServiceSends: ["LogEmitted"],
  },
  "store-order": {
    name: "store-order",
    queue: "store-order",
    receives: [{ operationId: "storeOrder_onOrderCreated", message: "OrderCreated", handler: "onOrderCreated" }],
    sends: ["LogEmitted", "OrderPersisted", "OrderRejected"],
    everyServiceSends: ["LogEmitted"],
  },
};

export const serviceNames = ["api","cancel-email","cancel-order","invoice","invoice-email","log-persistence","order-confirmation-email","order-timeline","payment","store-order"] as const;

/** The contract's own examples, for tests and fixtures. */
export const examples: { readonly [N in MessageName]: readonly { readonly name: string; readonly payload: unknown; readonly headers: unknown }[] } = 
{
  "InvoiceCreated": [
    {
      "name": "issued",
      "payload": {
        "invoiceId": "4e5f6a7b-8c9d-4e0f-a1b2-c3d4e5f6a7b8",
        "invoiceNumber": "INV-2026-000042",
        "orderId": "8f14e45f-ceea-467f-a0e6-1d3c8e3b2a01",
        "customerId": "1c9d4e2a-6b3f-4a8e-9f1d-2e7c5b8a4d30",
        "email": "anna.kovacs@example.com",
        "lines": [
          {
            "productId": "A1215",
            "name": "Trail running shoes",
            "quantity": 2,
            "unitPrice": {
              "amount": 8999,
              "currency": "EUR"
            },
            "lineTotal": {
              "amount": 17998,
              "currency": "EUR"
            }
          },
          {
            "productId": "A1216",
            "name": "Merino socks",
            "quantity": 1,
            "unitPrice": {
              "amount": 1499,
              "currency": "EUR"
            },
            "lineTotal": {
              "amount": 1499,
              "currency": "EUR"
            }
          }
        ],
        "total": {
          "amount": 19497,
          "currency": "EUR"
        },
        "issuedAt": "2026-11-25T09:30:01.300Z"
      },
      "headers": {
        "causation-id": "2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e",
        "traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-f60718293a4b5c6d-01"
      }
    }
  ],
  "LogEmitted": [
    {
      "name": "handled",
      "payload": {
        "service": "store-order",
        "records": [
          {
            "level": "info",
            "message": "handled OrderCreated",
            "orderId": "8f14e45f-ceea-467f-a0e6-1d3c8e3b2a01",
            "messageId": "3b1f0a52-9d4e-4c61-a0b2-7f5e9c3d2a10",
            "at": "2026-11-25T09:30:00.121Z"
          },
          {
            "level": "info",
            "message": "handled OrderCreated",
            "orderId": "2c7e9a41-5b3d-4f8e-9a1c-6d2b8e4f7a30",
            "messageId": "9d2e4f61-7a3b-4c5d-8e9f-0a1b2c3d4e5f",
            "at": "2026-11-25T09:30:00.121Z"
          }
        ]
      },
      "headers": {
        "causation-id": "7d2c4e9a-1f3b-4a6e-8c5d-0b9e2f4a6c13",
        "traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-0718293a4b5c6d7e-01"
      }
    }
  ],
  "OrderCancelled": [
    {
      "name": "paymentDeclined",
      "payload": {
        "orderId": "8f14e45f-ceea-467f-a0e6-1d3c8e3b2a01",
        "reason": "PAYMENT_FAILED",
        "restoredItems": [
          {
            "productId": "A1215",
            "quantity": 2
          },
          {
            "productId": "A1216",
            "quantity": 1
          }
        ],
        "cancelledAt": "2026-11-25T09:30:01.450Z"
      },
      "headers": {
        "causation-id": "0e8a7b6c-5d4f-4321-9a8b-7c6d5e4f3a21",
        "traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-c3d4e5f60718293a-01"
      }
    }
  ],
  "OrderCreated": [
    {
      "name": "twoLines",
      "payload": {
        "orderId": "8f14e45f-ceea-467f-a0e6-1d3c8e3b2a01",
        "customerId": "1c9d4e2a-6b3f-4a8e-9f1d-2e7c5b8a4d30",
        "email": "anna.kovacs@example.com",
        "items": [
          {
            "productId": "A1215",
            "quantity": 2
          },
          {
            "productId": "A1216",
            "quantity": 1
          }
        ],
        "createdAt": "2026-11-25T09:30:00.000Z"
      },
      "headers": {
        "causation-id": "3b1f0a52-9d4e-4c61-a0b2-7f5e9c3d2a10",
        "traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
      }
    }
  ],
  "OrderPersisted": [
    {
      "name": "priced",
      "payload": {
        "orderId": "8f14e45f-ceea-467f-a0e6-1d3c8e3b2a01",
        "customerId": "1c9d4e2a-6b3f-4a8e-9f1d-2e7c5b8a4d30",
        "email": "anna.kovacs@example.com",
        "lines": [
          {
            "productId": "A1215",
            "name": "Trail running shoes",
            "quantity": 2,
            "unitPrice": {
              "amount": 8999,
              "currency": "EUR"
            },
            "lineTotal": {
              "amount": 17998,
              "currency": "EUR"
            }
          },
          {
            "productId": "A1216",
            "name": "Merino socks",
            "quantity": 1,
            "unitPrice": {
              "amount": 1499,
              "currency": "EUR"
            },
            "lineTotal": {
              "amount": 1499,
              "currency": "EUR"
            }
          }
        ],
        "total": {
          "amount": 19497,
          "currency": "EUR"
        },
        "persistedAt": "2026-11-25T09:30:00.120Z"
      },
      "headers": {
        "causation-id": "6d2b9c1e-0f4a-4e7b-8c3d-5a1f2e9b7c40",
        "traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-a1b2c3d4e5f60718-01"
      }
    }
  ],
  "OrderRejected": [
    {
      "name": "notEnoughStock",
      "payload": {
        "orderId": "8f14e45f-ceea-467f-a0e6-1d3c8e3b2a01",
        "customerId": "1c9d4e2a-6b3f-4a8e-9f1d-2e7c5b8a4d30",
        "email": "anna.kovacs@example.com",
        "reason": "INSUFFICIENT_STOCK",
        "detail": "A1215: 5 requested, 3 in stock",
        "problems": [
          {
            "productId": "A1215",
            "requested": 5,
            "available": 3
          }
        ],
        "rejectedAt": "2026-11-25T09:30:00.120Z"
      },
      "headers": {
        "causation-id": "6d2b9c1e-0f4a-4e7b-8c3d-5a1f2e9b7c40",
        "traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-b2c3d4e5f6071829-01"
      }
    }
  ],
  "PaymentFailed": [
    {
      "name": "declined",
      "payload": {
        "orderId": "8f14e45f-ceea-467f-a0e6-1d3c8e3b2a01",
        "paymentId": "7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d",
        "customerId": "1c9d4e2a-6b3f-4a8e-9f1d-2e7c5b8a4d30",
        "email": "anna.kovacs@example.com",
        "amount": {
          "amount": 19497,
          "currency": "EUR"
        },
        "reason": "Card declined by issuer",
        "failedAt": "2026-11-25T09:30:01.020Z"
      },
      "headers": {
        "causation-id": "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d",
        "traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-e5f60718293a4b5c-01"
      }
    }
  ],
  "PaymentSucceeded": [
    {
      "name": "charged",
      "payload": {
        "orderId": "8f14e45f-ceea-467f-a0e6-1d3c8e3b2a01",
        "paymentId": "5f0c3e2d-1b4a-4c9e-8d7f-6a5b4c3d2e1f",
        "customerId": "1c9d4e2a-6b3f-4a8e-9f1d-2e7c5b8a4d30",
        "email": "anna.kovacs@example.com",
        "lines": [
          {
            "productId": "A1215",
            "name": "Trail running shoes",
            "quantity": 2,
            "unitPrice": {
              "amount": 8999,
              "currency": "EUR"
            },
            "lineTotal": {
              "amount": 17998,
              "currency": "EUR"
            }
          },
          {
            "productId": "A1216",
            "name": "Merino socks",
            "quantity": 1,
            "unitPrice": {
              "amount": 1499,
              "currency": "EUR"
            },
            "lineTotal": {
              "amount": 1499,
              "currency": "EUR"
            }
          }
        ],
        "amount": {
          "amount": 19497,
          "currency": "EUR"
        },
        "paidAt": "2026-11-25T09:30:01.020Z"
      },
      "headers": {
        "causation-id": "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d",
        "traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-d4e5f60718293a4b-01"
      }
    }
  ]
};
