// Generated from openapi.yaml by tools/generate-http.ts (npm run generate). Do not edit.

import type { CreateOrderRequest, Health, Order, OrderAccepted, Problem, ProductList, RateLimitProblem, Readiness, ReadinessProblem, ValidationProblem } from './types.ts';

/** Every operation of openapi.yaml by operationId: what a request carries and what each status answers. */
export interface Operations {
  /** POST /orders: Place an order */
  createOrder: {
    params: Record<string, never>;
    query: Record<string, never>;
    /** Request headers by their lower-case names, as the server reads them. */
    headers: {
      /** Client-chosen key that makes retries of the same order safe (see the operation description). A UUID is a good choice. Keys are remembered for at least 24 hours. */
      readonly "idempotency-key"?: string;
    };
    body: CreateOrderRequest;
    responses: {
      /** Order accepted and durably stored; processing continues asynchronously. A repeated identical request with the same `Idempotency-Key` gets this same answer, with the same `orderId`. */
      202: {
        body: OrderAccepted;
        headers: {
          /** Where to follow the order. */
          readonly location: string;
        };
      };
      /** The request body or a header is invalid; `errors` names each invalid field. */
      400: {
        body: ValidationProblem;
        headers: Record<string, never>;
      };
      /** A request with the same `Idempotency-Key` is still being processed. Retry later. */
      409: {
        body: Problem;
        headers: Record<string, never>;
      };
      /** The request body is larger than 64 KiB. */
      413: {
        body: Problem;
        headers: Record<string, never>;
      };
      /** The request body is not `application/json`. */
      415: {
        body: Problem;
        headers: Record<string, never>;
      };
      /** The `Idempotency-Key` was already used with a different request body. */
      422: {
        body: Problem;
        headers: Record<string, never>;
      };
      /** This client has placed more orders than the limit allows within the current window (by default 60 per minute per client IP address; the operator sets `ORDER_RATE_LIMIT_MAX` and `ORDER_RATE_LIMIT_WINDOW_MS`). The order was **not** accepted; retry after `Retry-After` seconds, with the same `Idempotency-Key`. Every answer of `POST /orders` carries the `RateLimit-*` headers. */
      429: {
        body: RateLimitProblem;
        headers: {
          /** Seconds until the window resets and an order is accepted again. */
          readonly "retry-after"?: number;
          /** Orders a client may place per window. */
          readonly "ratelimit-limit"?: number;
          /** Orders left in the current window (0 here). */
          readonly "ratelimit-remaining"?: number;
          /** Seconds until the current window ends. */
          readonly "ratelimit-reset"?: number;
        };
      };
      /** The request cannot be served right now because the database or the message broker is unavailable, or (`POST /orders`, type `.../pipeline-behind`) because the pipeline is too far behind: more messages wait in the services' queues than `ADMISSION_MAX_BACKLOG` lets build up. For `POST /orders` this means the order was **not** accepted; retrying after `Retry-After` (with the same `Idempotency-Key`) is safe. */
      503: {
        body: Problem;
        headers: {
          /** Seconds after which a retry may succeed. */
          readonly "retry-after"?: number;
        };
      };
    };
  };
  /** GET /orders/{orderId}: Follow an order */
  getOrder: {
    params: {
      /** The id returned by `POST /orders`. */
      readonly orderId: string;
    };
    query: Record<string, never>;
    /** Request headers by their lower-case names, as the server reads them. */
    headers: Record<string, never>;
    body: undefined;
    responses: {
      /** The order and its timeline. */
      200: {
        body: Order;
        headers: Record<string, never>;
      };
      /** The order id is not a UUID. */
      400: {
        body: ValidationProblem;
        headers: Record<string, never>;
      };
      /** No order with this id is known (yet). */
      404: {
        body: Problem;
        headers: Record<string, never>;
      };
      /** The request cannot be served right now because the database or the message broker is unavailable, or (`POST /orders`, type `.../pipeline-behind`) because the pipeline is too far behind: more messages wait in the services' queues than `ADMISSION_MAX_BACKLOG` lets build up. For `POST /orders` this means the order was **not** accepted; retrying after `Retry-After` (with the same `Idempotency-Key`) is safe. */
      503: {
        body: Problem;
        headers: {
          /** Seconds after which a retry may succeed. */
          readonly "retry-after"?: number;
        };
      };
    };
  };
  /** GET /health: Liveness probe */
  health: {
    params: Record<string, never>;
    query: Record<string, never>;
    /** Request headers by their lower-case names, as the server reads them. */
    headers: Record<string, never>;
    body: undefined;
    responses: {
      /** The process is alive. */
      200: {
        body: Health;
        headers: Record<string, never>;
      };
    };
  };
  /** GET /products: List the product catalog */
  listProducts: {
    params: Record<string, never>;
    query: Record<string, never>;
    /** Request headers by their lower-case names, as the server reads them. */
    headers: Record<string, never>;
    body: undefined;
    responses: {
      /** The catalog. */
      200: {
        body: ProductList;
        headers: Record<string, never>;
      };
      /** The request cannot be served right now because the database or the message broker is unavailable, or (`POST /orders`, type `.../pipeline-behind`) because the pipeline is too far behind: more messages wait in the services' queues than `ADMISSION_MAX_BACKLOG` lets build up. For `POST /orders` this means the order was **not** accepted; retrying after `Retry-After` (with the same `Idempotency-Key`) is safe. */
      503: {
        body: Problem;
        headers: {
          /** Seconds after which a retry may succeed. */
          readonly "retry-after"?: number;
        };
      };
    };
  };
  /** GET /ready: Readiness probe */
  ready: {
    params: Record<string, never>;
    query: Record<string, never>;
    /** Request headers by their lower-case names, as the server reads them. */
    headers: Record<string, never>;
    body: undefined;
    responses: {
      /** Broker and database are up; orders can be accepted. */
      200: {
        body: Readiness;
        headers: Record<string, never>;
      };
      /** A dependency is down; `checks` says which. */
      503: {
        body: ReadinessProblem;
        headers: Record<string, never>;
      };
    };
  };
}

export type OperationId = keyof Operations;
