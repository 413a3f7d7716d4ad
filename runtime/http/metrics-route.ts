// Serves the host's metrics at GET /metrics (Prometheus text format, not part of the
// documented API) and times every answered request by method, route pattern and status:
// the pattern (/orders/:orderId), never the raw URL, so the series stay few.
import type { FastifyInstance } from 'fastify';
import type { HostMetrics } from '../metrics.ts';

/** What a request that matched no route is labelled with. */
export const UNMATCHED_ROUTE = 'unmatched';

export function serveMetrics(app: FastifyInstance, metrics: HostMetrics): void {
  app.addHook('onResponse', async (request, reply) => {
    metrics.httpRequest(request.method, request.routeOptions.url ?? UNMATCHED_ROUTE, reply.statusCode, reply.elapsedTime);
  });
  app.get('/metrics', { schema: { hide: true } as never }, async (_request, reply) =>
    reply.type(metrics.contentType).send(await metrics.scrape()));
}
