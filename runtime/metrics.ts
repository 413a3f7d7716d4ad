// What a host's work looks like to Prometheus: deliveries by service, type and outcome,
// how long each took, HTTP requests by route and status, and, read when scraped, the
// outbox and e-mail backlogs, each pool's connections, what waits for a group commit, and
// each consumer's prefetch and the deliveries it holds.
// One registry per host (tests run several hosts in one process); the process's own
// metrics (CPU, memory, event loop) are registered once per process and served with
// every host's.
// On the delivery path the cost is one counter and one histogram child, picked from a
// table built at start (no label sets of ours per message; prom-client still keys each
// call by its labels: about 1 µs per delivery, measured).
import { AggregatorRegistry, collectDefaultMetrics, Counter, Gauge, Histogram, Registry, type Aggregator } from 'prom-client';
import { poolReader, type Database, type PoolStats } from './db.ts';
import type { Outcome } from './consumer.ts';
import type { Logger } from './logger.ts';
import type { MetricsJson } from './service-thread.ts';
import { within } from './within.ts';

const PREFIX = 'shop_';
/** The label of a delivery whose type the service does not receive (or that could not be read). */
export const UNKNOWN_TYPE = 'unknown';
const OUTCOMES = ['handled', 'duplicate', 'retry', 'dead-letter', 'requeued'] as const satisfies readonly Outcome[];
/** A scrape reports what it can: a query slower than this is left out of that scrape. */
const QUERY_TIMEOUT_MS = 1000;
/** Seconds: a delivery takes milliseconds when all is well, seconds when a handler calls out. */
const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

let processRegistry: Registry | undefined;

/** The process's own metrics (process_*, nodejs_*: the names common dashboards expect), registered once. */
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

/** What the consumer gauges read. */
export interface WatchedConsumer {
  readonly prefetch: number;
  readonly inFlight: number;
}

/** Records each delivery's outcome and duration (milliseconds) for one service. */
export type DeliveryRecorder = (type: string | undefined, outcome: Outcome, ms: number) => void;

interface Children {
  readonly outcomes: Readonly<Record<Outcome, { inc(): void }>>;
  readonly duration: { observe(seconds: number): void };
}

export class HostMetrics {
  readonly registry = new Registry();
  readonly contentType = Registry.PROMETHEUS_CONTENT_TYPE;
  readonly #messages: Counter<'service' | 'type' | 'outcome'>;
  readonly #duration: Histogram<'service' | 'type'>;
  readonly #http: Histogram<'method' | 'route' | 'status'>;
  readonly #log: Logger;
  /** Read when scraped: each watched group commit's queue, by service. */
  readonly #commitQueues: (readonly [service: string, queue: { readonly waiting: number }])[] = [];
  /** Read when scraped: each service's consumer, its prefetch and the deliveries it holds. */
  readonly #consumers: (readonly [service: string, consumer: WatchedConsumer])[] = [];
  /** Read when scraped: each e-mail service's dispatcher, the e-mails it holds claimed and unsent. */
  readonly #mailers: (readonly [service: string, dispatcher: { readonly held: number }])[] = [];
  readonly #peers: (() => Promise<MetricsJson>)[] = [];

  constructor(log: Logger) {
    this.#log = log;
    const registers = [this.registry];
    this.#messages = new Counter({
      name: `${PREFIX}messages_total`,
      help: 'Deliveries by service, message type and outcome (handled, duplicate, retry, dead-letter, requeued).',
      labelNames: ['service', 'type', 'outcome'], registers,
    });
    this.#duration = new Histogram({
      name: `${PREFIX}message_duration_seconds`,
      help: 'Time from a delivery\'s arrival to its outcome (the handler and its transaction, or the failure path).',
      labelNames: ['service', 'type'], buckets: DURATION_BUCKETS, registers,
    });
    this.#http = new Histogram({
      name: `${PREFIX}http_request_duration_seconds`,
      help: 'HTTP requests by method, route pattern and status code.',
      labelNames: ['method', 'route', 'status'], buckets: DURATION_BUCKETS, registers,
    });
    /** A gauge by service, read when scraped: the values of one service add up. */
    const byService = (name: string, help: string, values: () => Iterable<readonly [service: string, value: number]>) => new Gauge({
      name: `${PREFIX}${name}`, help, labelNames: ['service'], registers,
      collect() {
        this.reset();
        for (const [service, value] of values()) this.inc({ service }, value);
      },
    });
    const queues = this.#commitQueues;
    const consumers = this.#consumers;
    byService('group_commit_waiting', 'Work queued for a service\'s group commit and not yet in a transaction (gathering while a lane is busy, or all lanes busy), by service.',
      () => queues.map(([service, queue]) => [service, queue.waiting] as const));
    byService('consumer_prefetch', 'Deliveries a service\'s consumer may hold at once (its prefetch; payment\'s follows the card processor\'s latency, up to PAYMENT_MAX_IN_FLIGHT), by service.',
      () => consumers.map(([service, consumer]) => [service, consumer.prefetch] as const));
    const mailers = this.#mailers;
    byService('emails_held', 'E-mails a service holds claimed (or is claiming) and not yet sent, by service: at MAIL_BATCH_SIZE the rest wait in the table, and the SMTP server sets the pace.',
      () => mailers.map(([service, dispatcher]) => [service, dispatcher.held] as const));
    byService('consumer_deliveries_in_flight', 'Deliveries a service\'s consumer holds now (taken, not yet acked or given back), by service: at its prefetch, the service takes no more.',
      () => consumers.map(([service, consumer]) => [service, consumer.inFlight] as const));
  }

  /** The recorder a service's consumer calls for each delivery; its label children are made here, once per type and outcome. */
  deliveries(service: string, types: readonly string[]): DeliveryRecorder {
    const table = new Map<string, Children>();
    const childrenOf = (type: string): Children => ({
      outcomes: Object.fromEntries(OUTCOMES.map((o) => [o, this.#messages.labels(service, type, o)])) as Record<Outcome, { inc(): void }>,
      duration: this.#duration.labels(service, type),
    });
    for (const type of types) table.set(type, childrenOf(type));
    const unknown = childrenOf(UNKNOWN_TYPE);
    return (type, outcome, ms) => {
      const children = (type !== undefined && table.get(type)) || unknown;
      children.outcomes[outcome].inc();
      children.duration.observe(ms / 1000);
    };
  }

  /** One answered HTTP request; `route` is the route's pattern (bounded), never the raw URL. */
  httpRequest(method: string, route: string, status: number, ms: number): void {
    this.#http.observe({ method, route, status: String(status) }, ms / 1000);
  }

  /** Reports the api's last reading of the pipeline's backlog (runtime/pipeline-backlog.ts), read when scraped; NaN while unknown. */
  watchPipelineBacklog(reading: () => { readonly waiting: number } | undefined): void {
    new Gauge({
      name: `${PREFIX}pipeline_backlog_messages`,
      help: 'Messages waiting in the services\' queues and events unpublished in the outbox (for over a second, or all while the queues cannot be read), as the api last read them for its admission control (POST /orders refused past ADMISSION_MAX_BACKLOG); NaN while neither can be read.',
      registers: [this.registry],
      collect() { this.set(reading()?.waiting ?? Number.NaN); },
    });
  }

  /** Reports a service's consumer: its prefetch and the deliveries it holds (read when scraped). */
  watchConsumer(service: string, consumer: WatchedConsumer): void {
    this.#consumers.push([service, consumer]);
  }

  /** Reports the e-mails a service's dispatcher holds claimed and unsent (read when scraped, no await). */
  watchMailer(service: string, dispatcher: { readonly held: number }): void {
    this.#mailers.push([service, dispatcher]);
  }

  /** Reports how much waits in a group commit's queue (read when scraped, no await) under its service. */
  watchGroupCommit(service: string, queue: { readonly waiting: number }): void {
    this.#commitQueues.push([service, queue]);
  }

  /**
   * Gauges read from the database when scraped, on the runtime's pool: the outbox's
   * pending rows and the age of the oldest, log records waiting for a batch, e-mails pending and failed, and the
   * connections of each pool (by service; the runtime's own as "runtime"). These are
   * database-wide: every process reports the same outbox and e-mail figures.
   */
  watchDatabase(runtimeDb: Database, pools: () => Iterable<readonly [string, Database]>): void {
    const registers = [this.registry];
    // One statement, so a scrape takes one connection of the runtime's small pool, once.
    const backlog = this.#shared('outbox and e-mail backlog', async () => {
      const [row] = await runtimeDb.em.fork().execute<Record<'outbox_pending' | 'outbox_oldest' | 'log_records_pending' | 'emails_pending' | 'emails_failed', string | number | null>[]>(
        `select (select count(*) from runtime.outbox where status = 'pending') as outbox_pending,
                (select coalesce(sum(jsonb_array_length(records)), 0) from runtime.pending_log_records) as log_records_pending,
                (select extract(epoch from now() - min(created_at))::float8 from runtime.outbox where status = 'pending') as outbox_oldest,
                (select count(*) from mail.emails where status = 'pending') as emails_pending,
                (select count(*) from mail.emails where status = 'failed') as emails_failed`);
      return {
        outboxPending: Number(row?.outbox_pending ?? 0), outboxOldestSeconds: Number(row?.outbox_oldest ?? 0), logRecordsPending: Number(row?.log_records_pending ?? 0),
        emailsPending: Number(row?.emails_pending ?? 0), emailsFailed: Number(row?.emails_failed ?? 0),
      };
    });
    // Read before the backlog query takes its connection (the pool gauges are collected first), so a
    // scrape does not count itself; the readers are looked up once, so reading them has no await.
    const readers = new Map<string, () => PoolStats>();
    const poolRows = this.#shared('pool usage', async () => {
      for (const [service, db] of pools()) if (!readers.has(service)) readers.set(service, await poolReader(db));
      return [...readers].map(([service, read]) => ({ service, ...read() }));
    });

    /**
     * A gauge set from a sample when scraped; when the sample could not be taken, a gauge
     * with labels has no series in that scrape and one without reads NaN (never a stale or made-up 0).
     */
    const gauge = <T, L extends string>(
      name: string, help: string, labelNames: L[], sample: () => Promise<T | undefined>, set: (g: Gauge<L>, value: T) => void, aggregator: Aggregator = 'sum',
    ) =>
      new Gauge<L>({
        name: `${PREFIX}${name}`, help, labelNames, registers, aggregator,
        async collect() {
          const value = await sample();
          this.reset();
          if (value !== undefined) set(this, value);
          else if (!labelNames.length) this.set(Number.NaN);
        },
      });
    gauge('db_pool_connections', 'Connections of each pool by service and state (busy: checked out; idle: open and free).', ['service', 'state'], poolRows,
      (g, rows) => {
        for (const r of rows) {
          g.set({ service: r.service, state: 'busy' }, r.total - r.idle);
          g.set({ service: r.service, state: 'idle' }, r.idle);
        }
      });
    gauge('db_pool_waiting', 'Requests waiting for a connection of the pool, by service.', ['service'], poolRows,
      (g, rows) => { for (const r of rows) g.set({ service: r.service }, r.waiting); });
    gauge('db_pool_max', 'Largest size of each pool, by service.', ['service'], poolRows,
      (g, rows) => { for (const r of rows) g.set({ service: r.service }, r.max); });
    // every thread of a process reads the same figure: a merged scrape takes one thread's, not their sum
    const DATABASE_WIDE = 'first';
    gauge('outbox_pending_rows', 'Outbox rows not yet published (database-wide).', [], backlog, (g, v) => g.set(v.outboxPending), DATABASE_WIDE);
    gauge('outbox_oldest_pending_age_seconds', 'Age of the oldest unpublished outbox row; 0 when none is pending (database-wide).', [], backlog,
      (g, v) => g.set(v.outboxOldestSeconds), DATABASE_WIDE);
    gauge('log_records_pending', 'Log records waiting to go out in a LogEmitted batch (database-wide).', [], backlog, (g, v) => g.set(v.logRecordsPending), DATABASE_WIDE);
    gauge('emails_pending', 'E-mails queued and not yet sent (database-wide).', [], backlog, (g, v) => g.set(v.emailsPending), DATABASE_WIDE);
    gauge('emails_failed', 'E-mails given up on (database-wide).', [], backlog, (g, v) => g.set(v.emailsFailed), DATABASE_WIDE);
  }

  /**
   * A sample shared by the gauges that read it in one scrape (they are collected
   * together): one query at a time, bounded by QUERY_TIMEOUT_MS; undefined when it
   * failed or is late (a late query is not started again until it ends).
   */
  #shared<T>(what: string, read: () => Promise<T>): () => Promise<T | undefined> {
    let running: Promise<T | undefined> | undefined;
    let pending: Promise<unknown> | undefined;
    return () => {
      if (running) return running;
      if (pending) return Promise.resolve(undefined); // the last one is still stuck: report without it
      const query = read();
      pending = query.finally(() => { pending = undefined; }).catch(() => undefined);
      running = within(query, QUERY_TIMEOUT_MS, undefined)
        .then((value) => {
          if (value === undefined) this.#log.warn({ metric: what, timeoutMs: QUERY_TIMEOUT_MS }, 'metrics query late; left out of this scrape');
          return value;
        }, (err: Error) => {
          this.#log.warn({ metric: what, err: err.message }, 'metrics query failed; left out of this scrape');
          return undefined;
        })
        .finally(() => { running = undefined; });
      return running;
    };
  }

  /** Another thread's host (runtime/service-thread.ts), whose metrics every scrape of this one includes. */
  includePeer(read: () => Promise<MetricsJson>): void {
    this.#peers.push(read);
  }

  /** This host's metrics as JSON, without the process's: what a thread gives the main thread to merge. */
  ownMetrics(): Promise<MetricsJson> {
    return this.registry.getMetricsAsJSON() as Promise<MetricsJson>;
  }

  /**
   * The text a scrape gets: the process's metrics and this host's, merged with its peers'
   * (series of the same labels add up; the database-wide gauges are taken once). A peer that
   * cannot answer fails the scrape: a scrape without its counters would read as a reset.
   */
  async scrape(): Promise<string> {
    const [own, proc] = await Promise.all([
      this.#peers.length ? this.#merged() : this.registry.metrics(),
      processMetrics().metrics(),
    ]);
    return `${own.trimEnd()}\n${proc}`;
  }

  async #merged(): Promise<string> {
    const all = await Promise.all([this.ownMetrics(), ...this.#peers.map((read) => read())]);
    return AggregatorRegistry.aggregate(all).metrics();
  }
}
