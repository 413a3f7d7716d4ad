// The api's routes, one per operation of openapi.yaml (found by operationId, with the
// contract's schemas): each turns an HTTP request into a domain call and its answer.
import type { FastifyInstance } from 'fastify';
import { databaseReachable } from '../../runtime/db.ts';
import { eventLogger } from '../../runtime/event-log.ts';
import { HttpProblem, isInfrastructureFailure, serviceUnavailable } from '../../runtime/http/problem.ts';
import { operationRoute } from '../../runtime/http/operations.ts';
import type { OpenApiDocument } from '../../runtime/http/openapi.ts';
import type { ServiceRuntime } from '../../runtime/service.ts';
import { acceptOrder, type OrderRequest } from './acceptOrder.ts';
import { findOrder } from './findOrder.ts';
import { listProducts } from './listProducts.ts';

export function registerRoutes(app: FastifyInstance, doc: OpenApiDocument, runtime: ServiceRuntime): void {
  const events = eventLogger('api', runtime.config, runtime.db);
  app.route({
    ...operationRoute(doc, 'createOrder'),
    handler: async (request, reply) => {
      const key = request.headers['idempotency-key'] as string | undefined;
      const logged = (orderId: string) => events.record('info', `accepted order ${orderId}${key ? ` (Idempotency-Key ${key})` : ''}`, orderId);
      const acceptance = await acceptOrder(runtime.db, request.body as OrderRequest, key, logged).catch((err: unknown) => {
        // never a 202 for an order that was not committed; a retry with the same key is safe
        if (isInfrastructureFailure(err)) throw serviceUnavailable('The order could not be stored durably; the database is unavailable.', err);
        throw err;
      });
      switch (acceptance.outcome) {
        case 'accepted':
          runtime.relay.publishCommitted(acceptance.events);
          return reply.status(202).header('location', `/orders/${acceptance.orderId}`).send({ orderId: acceptance.orderId, status: 'ACCEPTED' });
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
  });

  app.route({
    ...operationRoute(doc, 'getOrder'),
    handler: async (request) => {
      const { orderId } = request.params as { orderId: string };
      const order = await findOrder(runtime.db, orderId);
      if (!order) {
        throw new HttpProblem({ status: 404, kind: 'order-not-found', title: 'Order not found', detail: `No order with id ${orderId} is known.` });
      }
      return order;
    },
  });

  app.route({
    ...operationRoute(doc, 'listProducts'),
    handler: async () => ({ products: await listProducts(runtime.db) }),
  });

  app.route({
    ...operationRoute(doc, 'health'),
    handler: async () => ({ status: 'ok' }),
  });

  app.route({
    ...operationRoute(doc, 'ready'),
    handler: async () => {
      const broker = runtime.broker.connected;
      const database = await databaseReachable(runtime.db);
      const checks = { broker: broker ? 'up' : 'down', database: database ? 'up' : 'down' } as const;
      if (broker && database) return { status: 'ready', checks };
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
  });
}

