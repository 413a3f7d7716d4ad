// The api service: accepts orders over HTTP (openapi.yaml) and writes OrderCreated
// to its outbox, orders arriving together in one transaction; receives no events. A
// 202 means the order is durably stored. It reads the catalog and the timeline
// through their services' read modules.
import { fileURLToPath } from 'node:url';
import { closeBy, createHttpServer, listen, type RouteRateLimit } from '../../runtime/http/server.ts';
import { OPENAPI_PATH, loadOpenApi } from '../../runtime/http/openapi.ts';
import { serveMetrics } from '../../runtime/http/metrics-route.ts';
import { watchPipelineBacklog } from '../../runtime/pipeline-backlog.ts';
import type { ServiceModule, ServiceRuntime, Stoppable } from '../../runtime/service.ts';
import { defineApi } from '../../generated/services/api.ts';
import * as timeline from '../order-timeline/read.ts';
import * as catalog from '../store-order/catalog.ts';
import { forgetOldIdempotencyKeys } from './acceptOrder.ts';
import { registerRoutes } from './routes.ts';

const ASYNCAPI_PATH = fileURLToPath(new URL('../../asyncapi.yaml', import.meta.url));
// generated from asyncapi.yaml (npm run generate): every event and the flow between the services
const EVENTS_PAGE_PATH = fileURLToPath(new URL('../../generated/events.html', import.meta.url));
const EVENT_FLOW_PATH = fileURLToPath(new URL('../../generated/event-flow.svg', import.meta.url));

export interface ApiServer extends Stoppable {
  /** Base URL on this machine, e.g. http://127.0.0.1:8080 (the real port when PORT=0). */
  readonly url: string;
}

export interface ApiOptions {
  /** Called once the server listens (tests learn the port this way). */
  readonly onListening?: (url: string) => void;
}

export async function startApiServer(runtime: ServiceRuntime, options: ApiOptions = {}): Promise<ApiServer> {
  const doc = loadOpenApi();
  const app = await createHttpServer({
    doc,
    log: runtime.log,
    rateLimits: orderRateLimits(runtime.config.orderRateLimit),
    trustProxy: runtime.config.orderRateLimit.trustProxy,
    docsPrefix: '/docs',
    files: {
      '/openapi.yaml': { path: OPENAPI_PATH, contentType: 'text/yaml; charset=utf-8' },
      '/asyncapi.yaml': { path: ASYNCAPI_PATH, contentType: 'text/yaml; charset=utf-8' },
      '/events': { path: EVENTS_PAGE_PATH, contentType: 'text/html; charset=utf-8' },
      '/event-flow.svg': { path: EVENT_FLOW_PATH, contentType: 'image/svg+xml' },
    },
    quietPaths: ['/health', '/ready', '/metrics'],
  });
  serveMetrics(app, runtime.metrics);
  const { maxBacklog, checkMs } = runtime.config.admission;
  const backlog = maxBacklog > 0 ? await watchPipelineBacklog({ broker: runtime.broker, relay: runtime.relay, everyMs: checkMs, countUpTo: 2 * maxBacklog, log: runtime.log }) : undefined;
  if (backlog) runtime.metrics.watchPipelineBacklog(() => backlog.current);
  registerRoutes(app, doc, runtime, backlog);
  const url = await listen(app, runtime.config.port);
  runtime.log.info({ url }, 'api listening');
  options.onListening?.(url);
  const pruning = setInterval(() => {
    forgetOldIdempotencyKeys(runtime.db, runtime.config.retentionHours)
      .then((n) => { if (n) runtime.log.info({ forgotten: n }, 'old idempotency keys forgotten'); })
      .catch((err: Error) => runtime.log.warn({ err: err.message }, 'forgetting old idempotency keys failed; will try again'));
  }, runtime.config.pruneIntervalMs);
  pruning.unref();
  return {
    url,
    stop: async (deadline) => {
      clearInterval(pruning);
      backlog?.stop();
      await closeBy(app, deadline);
    },
  };
}

/** Only placing orders is limited per client (ORDER_RATE_LIMIT_MAX=0: not at all); reads and probes never are. */
function orderRateLimits(limit: ServiceRuntime['config']['orderRateLimit']): RouteRateLimit[] {
  return limit.max === 0 ? [] : [{ method: 'POST', url: '/orders', max: limit.max, windowMs: limit.windowMs, what: 'orders' }];
}

/** The api module, with options (e.g. `onListening` in tests). */
export function apiService(options: ApiOptions = {}): ServiceModule<'api'> {
  // The api keeps a pool of its own, larger than a consumer's: requests are not bounded by a prefetch.
  // Orders arriving together share a transaction (BATCH_SIZE at most); half the pool
  // commits them, the other half is left for reads (GET /orders/{id}, /products, /ready).
  return defineApi({
    dbPoolMax: 8,
    commit: { lanes: 4 },
    entities: [...catalog.readEntities, ...timeline.readEntities],
    data: { owns: ['api'], reads: [...catalog.readTables, ...timeline.readTables] },
    start: (runtime) => startApiServer(runtime, options),
  });
}

export const api = apiService();
