// Runs a set of services in one process: one outbox relay, one consumer per receiving
// service, and whatever else a service starts. Each service has its own broker
// connection as its own user (runtime/broker-identity.ts), its own database pool and its
// own limit on deliveries in flight (bulkheads): a slow service uses up its own share,
// never another's. The broker is set up first (runtime/broker-setup.ts) unless
// BROKER_SETUP=off says a setup job did it. The runtime
// (migrations, relay, readiness) has a pool of its own too. Stopping follows the guarantee order: stop consuming,
// let in-flight deliveries finish (bounded), flush the outbox, close everything, and
// last flush the spans (runtime/tracing.ts: exported only with OTEL_EXPORTER_OTLP_ENDPOINT).
import { createServer, type Server } from 'node:http';
import type { Config } from './config.ts';
import { Broker } from './broker.ts';
import { Consumer, type ConsumerOptions } from './consumer.ts';
import { databaseReachable, openDatabase, type Database } from './db.ts';
import { emitsLogs, eventLogger } from './event-log.ts';
import type { GroupShape } from './group-commit.ts';
import { createLogger, type Logger } from './logger.ts';
import { HostMetrics } from './metrics.ts';
import { ensureDatabase, migrate } from './migrate.ts';
import { Publisher } from './publisher.ts';
import { LogBatcher } from './log-batcher.ts';
import { TableMaintenance } from './table-maintenance.ts';
import { OutboxRelay, type RelayOptions } from './relay.ts';
import type { HostRuntime, ServiceModule, Stoppable } from './service.ts';
import { queuePlanFor } from './topology.ts';
import { serviceAmqpUrl } from './broker-identity.ts';
import { setupBroker } from './broker-setup.ts';
import { roleOf } from './database-roles.ts';
import { startTracing } from './tracing.ts';
import { REACHABLE_WITHIN_MS, readinessChecks, type Readiness } from './readiness.ts';
import type { PeerHost } from './service-thread.ts';
import { services as contract } from '../generated/registry.ts';
import { within } from './within.ts';

export interface HostOptions {
  /** Test seams: called at the named points of the pipeline (fault injection). */
  readonly consumerHooks?: ConsumerOptions['hooks'];
  readonly relayHooks?: RelayOptions['hooks'];
  readonly log?: Logger;
  /** Hosts on the process's other threads (runtime/service-thread.ts): this host's readiness, metrics and stop include theirs. */
  readonly peers?: readonly PeerHost[];
}

export interface Host {
  /** The runtime's own parts; `db` is the runtime's pool (relay, readiness). */
  readonly runtime: HostRuntime;
  /** Each service's own database pool. */
  readonly databases: ReadonlyMap<string, Database>;
  readonly consumers: ReadonlyMap<string, Consumer>;
  /** What each service's start() returned (e.g. the api's URL). */
  readonly services: ReadonlyMap<string, Stoppable>;
  /** Sends the log records of this host's services; stop() flushes it. */
  readonly logBatcher: LogBatcher;
  /** Every broker connection up and the database reachable, on every thread of the process. */
  ready(): Promise<Readiness>;
  stop(): Promise<{ drained: boolean }>;
}

export async function startHost(config: Config, modules: readonly ServiceModule[], options: HostOptions = {}): Promise<Host> {
  const names = modules.map((m) => m.name);
  const peers = options.peers ?? [];
  const log = options.log ?? createLogger(config, { app: 'order-pipeline', services: names.join(',') });
  // a test registers its own provider (registerTracing) and leaves the endpoint unset
  const stopTracing = startTracing(config, names);
  await ensureDatabase(config.databaseUrl);
  const db: Database = await openDatabase({ url: config.databaseUrl, poolMax: config.runtimeDbPoolMax, statementTimeoutMs: config.dbStatementTimeoutMs });
  const databases = new Map<string, Database>();
  const started = new Map<string, Stoppable>();
  const consumers = new Map<string, Consumer>();
  /** Each service's connection for deliveries and reads (its publishing one is only in `connections`). */
  const brokers = new Map<string, Broker>();
  const connections: Broker[] = [];
  let relay: OutboxRelay | undefined;
  let logBatcher: LogBatcher | undefined;
  let maintenance: TableMaintenance | undefined;
  let healthServer: Server | undefined;
  try {
    const applied = await migrate(db, config.databaseUrl, config.databaseRoles ? modules : []);
    if (applied.length) log.info({ applied }, 'migrations applied');

    if (config.brokerSetup) await setupBroker(config, log);
    const publishers = new Map<string, Publisher>();
    await Promise.all(names.map(async (name) => {
      const serviceLog = log.child({ service: name });
      // Publishing on a connection of its own: under a resource alarm the broker stops reading
      // from a connection that publishes, and would take the acks and deliveries on it along.
      const receiving = new Broker(serviceLog, name);
      const publishing = new Broker(serviceLog, `${name} publishing`);
      brokers.set(name, receiving);
      connections.push(receiving, publishing);
      const url = serviceAmqpUrl(config, name);
      await Promise.all([receiving.connect(url, config), publishing.connect(url, config)]);
      const publisher = new Publisher(serviceLog, name);
      await publisher.attach(publishing);
      publishers.set(name, publisher);
    }));
    relay = new OutboxRelay(db, publishers, log, {
      batchSize: config.relayBatchSize,
      pollMs: config.relayPollMs,
      graceMs: config.relayGraceMs,
      markDelayMs: config.relayMarkDelayMs,
      retentionHours: config.retentionHours,
      pruneIntervalMs: config.pruneIntervalMs,
      hooks: options.relayHooks,
    });
    relay.start();
    logBatcher = new LogBatcher(db, log, {
      services: names.filter(emitsLogs),
      batchSize: config.logBatchSize,
      // room for the envelope, and for the payload's own wrapping
      maxBytes: Math.floor(config.maxMessageBytes / 2),
      pollMs: config.logBatchMs,
      publish: (messages) => relay!.publishCommitted(messages),
    });
    logBatcher.start();
    maintenance = new TableMaintenance({ databaseUrl: config.databaseUrl, mode: config.tableMaintenance, intervalMs: config.tableMaintenanceMs }, log);
    maintenance.start();
    const metrics = new HostMetrics(log);
    metrics.watchDatabase(db, () => [['runtime', db] as const, ...databases]);
    for (const peer of peers) metrics.includePeer(() => peer.metrics());
    const ownReady = async (): Promise<Readiness> => {
      const [answers, database] = await Promise.all([Promise.all(connections.map((b) => b.answering(REACHABLE_WITHIN_MS))), databaseReachable(db)]);
      return { broker: answers.every(Boolean), database };
    };
    const ready = async (): Promise<Readiness> => {
      const all = await Promise.all([ownReady(), ...peers.map((peer) => peer.ready())]);
      return { broker: all.every((r) => r.broker), database: all.every((r) => r.database) };
    };
    const runtime: HostRuntime = { config, db, relay, log, metrics, ready };

    for (const m of modules) {
      const limits = limitsOf(m, config);
      const role = config.databaseRoles ? roleOf(m.name) : undefined;
      databases.set(m.name, await openDatabase({ url: config.databaseUrl, poolMax: limits.dbPoolMax, entities: m.entities ?? [], role, statementTimeoutMs: config.dbStatementTimeoutMs }));
      log.info({ service: m.name, ...limits }, 'service limits');
    }
    for (const m of modules) {
      if (!m.handlers) continue;
      const serviceDb = databases.get(m.name)!;
      const serviceLog = log.child({ service: m.name });
      const events = eventLogger(m.name, config, serviceDb);
      const consumer = new Consumer(serviceDb, publishers.get(m.name)!, serviceLog, {
        service: m.name,
        handlers: typeof m.handlers === 'function' ? m.handlers(config) : m.handlers,
        plan: queuePlanFor(m.name, config.retryDelaysMs),
        prefetch: limitsOf(m, config).prefetch,
        maxAttempts: config.maxAttempts,
        maxMessageBytes: config.maxMessageBytes,
        commit: commitOf(m, config),
        alongCommit: (handled) => started.get(m.name)?.alongCommit?.(handled),
        afterCommit: (messages) => relay!.publishCommitted(messages),
        onHandled: events.onHandled,
        onFailed: events.onFailed,
        onOutcome: metrics.deliveries(m.name, contract[m.name]?.receives.map((r) => r.message) ?? []),
        hooks: options.consumerHooks,
      });
      await consumer.attach(brokers.get(m.name)!);
      consumers.set(m.name, consumer);
      metrics.watchConsumer(m.name, consumer);
    }
    for (const m of modules) {
      if (m.start) {
        const own = {
          db: databases.get(m.name)!, broker: brokers.get(m.name)!, publisher: publishers.get(m.name)!, log: log.child({ service: m.name }),
          commit: commitOf(m, config), consumer: consumers.get(m.name),
        };
        started.set(m.name, await m.start({ ...runtime, ...own }));
      }
    }

    if (config.healthPort && !names.includes('api')) healthServer = await serveHealth(config.healthPort, ready, metrics);
    log.info({ services: names }, 'started');

    let stopping: Promise<{ drained: boolean }> | undefined;
    // the other threads stop alongside, each to its own deadline
    const stop = () => stopping ??= Promise.all([stopOwn(), ...peers.map((peer) => peer.stop())])
      .then((all) => ({ drained: all.every((r) => r.drained) }));
    const stopOwn = async () => {
      const deadline = Date.now() + config.shutdownTimeoutMs;
      log.info('stopping: no new deliveries; finishing in-flight work');
      const drained = (await Promise.all([...consumers.values()].map((c) => c.stop(deadline)))).every(Boolean);
      // a service stops by the deadline (an e-mail dispatcher then closes its SMTP connections), given a moment for that
      await bounded(Promise.all([...started.values()].map((s) => s.stop(deadline))), deadline + 1000, 'services stop', log);
      // each step below can wait forever (a confirm, a pool waiting for a client that never comes back)
      await bounded(logBatcher!.flush(deadline).catch((err) => log.warn({ err: (err as Error).message }, 'log batch flush failed; records stay pending')), deadline, 'log batch flush', log);
      await bounded(relay!.flush(deadline).catch((err) => log.warn({ err: (err as Error).message }, 'outbox flush failed; rows stay pending')), deadline, 'outbox flush', log);
      await bounded(relay!.stop(), deadline, 'outbox relay stop', log);
      await bounded(maintenance!.stop(), deadline, 'table maintenance stop', log);
      healthServer?.close();
      await bounded(Promise.all(connections.map((b) => b.close())), deadline, 'broker connections close', log);
      await bounded(Promise.all([db, ...databases.values()].map((d) => d.close())), deadline, 'database pools close', log);
      await bounded(stopTracing().catch((err) => log.warn({ err: (err as Error).message }, 'spans could not be flushed')), deadline, 'span export', log);
      log.info({ drained }, 'stopped');
      return { drained };
    };
    return { runtime, databases, consumers, services: started, logBatcher, ready, stop };
  } catch (err) {
    // Undo whatever had started, in the same order as a normal stop.
    const deadline = Date.now() + 2000;
    await Promise.all([...consumers.values()].map((c) => c.stop(deadline).catch(() => false)));
    await Promise.all([...started.values()].map((s) => s.stop(deadline).catch(() => undefined)));
    healthServer?.close();
    await logBatcher?.stop().catch(() => undefined);
    await relay?.stop().catch(() => undefined);
    await maintenance?.stop().catch(() => undefined);
    await Promise.all(connections.map((b) => b.close().catch(() => undefined)));
    await Promise.all([db, ...databases.values()].map((d) => d.close().catch(() => undefined)));
    await stopTracing().catch(() => undefined);
    throw err;
  }
}

/** The service's bulkhead: its deliveries in flight and its connections (env overrides, then the service's own defaults, then the process defaults). */
export function limitsOf(m: ServiceModule, config: Config): { prefetch: number; dbPoolMax: number } {
  const own = config.serviceLimits[m.name] ?? {};
  return { prefetch: own.prefetch ?? m.concurrency ?? config.prefetch, dbPoolMax: own.dbPoolMax ?? m.dbPoolMax ?? config.dbPoolMax };
}

/**
 * The service's group commit: deliveries (or requests) per transaction (BATCH_SIZE unless the service says),
 * transactions at a time (its pool, unless it says), and how long a first delivery gathers others (GATHER_MS_<SERVICE>, then the service's own, else 0;
 * GATHER_UNDER_LOAD_MS while deliveries come at least twice per it).
 */
export function commitOf(m: ServiceModule, config: Config): GroupShape {
  const limits = limitsOf(m, config);
  const lanes = m.commit?.lanes ?? limits.dbPoolMax;
  // BATCH_SIZE keeps groups small enough for several lanes to share the work. A single lane
  // (store-order and cancel-order, behind the stock lock) shares with nobody: a group takes
  // every delivery in flight, and a smaller one would only leave the rest waiting for the next.
  const gatherMs = config.serviceLimits[m.name]?.gatherMs ?? m.commit?.gatherMs ?? 0;
  return { size: m.commit?.size ?? (lanes === 1 ? limits.prefetch : config.batchSize), lanes, gatherMs, gatherUnderLoadMs: config.gatherUnderLoadMs };
}

/**
 * Awaits one step of a stop until the stop's deadline (and at least a second, so that a
 * step after a late one still gets its chance); a step still running then is logged and
 * left behind, so stop() always returns.
 */
async function bounded(step: Promise<unknown>, deadline: number, what: string, log: Logger): Promise<void> {
  const late = Symbol('late');
  if (await within(step, Math.max(deadline - Date.now(), 1000), late) !== late) return;
  log.error({ step: what }, 'shutdown step still running at the deadline; stopping without it');
  step.catch((err: Error) => log.warn({ step: what, err: err.message }, 'shutdown step failed after it was left behind'));
}

/** /health, /ready and /metrics of a process without the api (the api's own server answers them there). */
async function serveHealth(port: number, ready: () => Promise<Readiness>, metrics: HostMetrics): Promise<Server> {
  const server = createServer(async (req, res) => {
    if (req.url === '/metrics') {
      try {
        const text = await metrics.scrape();
        res.writeHead(200, { 'content-type': metrics.contentType }).end(text);
      } catch (err) {
        res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics unavailable: ${(err as Error).message}`);
      }
    } else if (req.url === '/health') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'ok' }));
    } else if (req.url === '/ready') {
      const r = await ready();
      const ok = r.broker && r.database;
      const checks = readinessChecks(r);
      res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify(ok ? { status: 'ready', checks } : { status: 'unavailable', checks }));
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(port, resolve));
  return server;
}
