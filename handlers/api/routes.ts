// The api's routes: a handler per operation of openapi.yaml, by operationId, each
// typed by the contract (generated/http/operations.ts); a missing one does not
// compile. Each turns a request into a domain call and its answer.
import type { FastifyInstance } from 'fastify';
import type { Operations } from '../../generated/http/operations.ts';
import { eventLogger, type EventLog } from '../../runtime/event-log.ts';
import { stepCommitter } from '../../runtime/http/commit.ts';
import { HttpProblem } from '../../runtime/http/problem.ts';
import { readinessChecks } from '../../runtime/readiness.ts';
import { serveOperations, type OperationHandlers } from '../../runtime/http/operations.ts';
import type { OpenApiDocument } from '../../runtime/http/openapi.ts';
import type { ServiceRuntime } from '../../runtime/service.ts';
import * as catalog from '../store-order/catalog.ts';
import type { PipelineBacklog } from '../../runtime/pipeline-backlog.ts';
import { orderAdmission } from './admission.ts';
import { acceptOrders, type Acceptance, type OrderRequest } from './acceptOrder.ts';
import { findOrder } from './findOrder.ts';

export function registerRoutes(app: FastifyInstance, doc: OpenApiDocument, runtime: ServiceRuntime, backlog?: PipelineBacklog): void {
  serveOperations(app, doc, apiHandlers(runtime, eventLogger('api', runtime.config, runtime.db), orderAdmission(backlog, runtime.config.admission)));
}

function apiHandlers(runtime: ServiceRuntime, log: EventLog, admit: () => void): OperationHandlers<Operations> {
  // orders arriving together are accepted in one transaction
  const accept = stepCommitter<OrderRequest, Acceptance>(
    runtime,
    { service: 'api', unavailable: 'The order could not be stored durably; the database is unavailable.', commit: runtime.commit },
    (em, requests) => acceptOrders(em, requests, log),
  );
  return {
    createOrder: async ({ body, headers }) => {
      admit();
      const key = headers['idempotency-key'];
      // the answer comes after the commit: never a 202 for an order that was not stored
      const acceptance = await accept({ order: body, idempotencyKey: key });
      switch (acceptance.outcome) {
        case 'accepted':
          return { status: 202, headers: { location: `/orders/${acceptance.orderId}` }, body: { orderId: acceptance.orderId, status: 'ACCEPTED' } };
        case 'key-in-use':
          throw new HttpProblem({
            status: 409,
            kind: 'idempotency-key-in-use',
            title: 'Request with this Idempotency-Key is in progress',
            detail: `A request with Idempotency-Key ${key} is still being processed.`,
          });
        case 'key-reused':
          throw new HttpProblem({
            status: 422,
            kind: 'idempotency-key-reused',
            title: 'Idempotency-Key reused with a different body',
            detail: `Idempotency-Key ${key} was first used for a different order.`,
          });
      }
    },

    getOrder: async ({ params: { orderId } }) => {
      const order = await findOrder(runtime.db.em.fork(), orderId);
      if (!order) {
        throw new HttpProblem({ status: 404, kind: 'order-not-found', title: 'Order not found', detail: `No order with id ${orderId} is known.` });
      }
      return { status: 200, body: order };
    },

    listProducts: async () => ({ status: 200, body: { products: await catalog.listProducts(runtime.db.em.fork()) } }),

    health: async () => ({ status: 200, body: { status: 'ok' } }),

    ready: async () => {
      const readiness = await runtime.ready();
      if (readiness.broker && readiness.database) return { status: 200, body: { status: 'ready', checks: { broker: 'up', database: 'up' } } };
      const checks = readinessChecks(readiness);
      const down = Object.entries(checks).filter(([, state]) => state === 'down').map(([name]) => name);
      throw new HttpProblem({
        status: 503,
        kind: 'not-ready',
        title: 'Service not ready',
        detail: `${down.join(' and ')} ${down.length === 1 ? 'is' : 'are'} down`,
        extensions: { checks },
        headers: { 'retry-after': '5' },
      });
    },
  };
}
