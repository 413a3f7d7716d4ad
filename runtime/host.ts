// Runs a set of services in one process: one database pool, one broker
// connection, one outbox relay, one consumer per receiving service, and whatever
// else a service starts. Stopping follows the guarantee order: stop consuming,
// let in-flight deliveries finish (bounded), flush the outbox, close everything.
import { createServer, type Server } from 'node:http';
import type { Config } from './config.ts';
import { Broker } from './broker.ts';
import { Consumer, type ConsumerOptions } from './consumer.ts';
import { databaseReachable, openDatabase, type Database } from './db.ts';
import { eventLogger } from './event-log.ts';
import { createLogger, type Logger } from './logger.ts';
import { ensureDatabase, migrate } from './migrate.ts';
import { Publisher } from './publisher.ts';
import { OutboxRelay, type RelayOptions } from './relay.ts';
import type { ServiceModule, ServiceRuntime, Stoppable } from './service.ts';
import { declareTopology, queuePlanFor } from './topology.ts';

export interface HostOptions {
  /** Test seams: called at the named points of the pipeline (fault injection). */
  readonly consumerHooks?: ConsumerOptions['hooks'];
  readonly relayHooks?: RelayOptions['hooks'];
  readonly log?: Logger;
}

export interface Host {
  readonly runtime: ServiceRuntime;
  readonly consumers: ReadonlyMap<string, Consumer>;
  /** What each service's start() returned (e.g. the api's URL). */
  readonly services: ReadonlyMap<string, Stoppable>;
  ready(): Promise<{ broker: boolean; database: boolean }>;
  stop(): Promise<{ drained: boolean }>;
}

export async function startHost(config: Config, modules: readonly ServiceModule[], options: HostOptions = {}): Promise<Host> {
  const names = modules.map((m) => m.name);
  const log = options.log ?? createLogger(config, { app: 'order-pipeline', services: names.join(',') });
  await ensureDatabase(config.databaseUrl);
  const db: Database = await openDatabase({ url: config.databaseUrl, poolMax: config.dbPoolMax, entities: [...new Set(modules.flatMap((m) => m.entities ?? []))] });
  const started = new Map<string, Stoppable>();
  const consumers = new Map<string, Consumer>();
  const broker = new Broker(log);
  let relay: OutboxRelay | undefined;
  let healthServer: Server | undefined;
  try {
    const applied = await migrate(db, config.databaseUrl);
    if (applied.length) log.info({ applied }, 'migrations applied');

    await broker.connect(config.amqpUrl, config.heartbeatSeconds);
    await broker.onConnect((model) => declareTopology(model, config.retryDelaysMs));
    const publisher = new Publisher(log);
    await publisher.attach(broker);
    relay = new OutboxRelay(db, publisher, log, {
      databaseUrl: config.databaseUrl,
      batchSize: config.relayBatchSize,
      pollMs: config.relayPollMs,
      retentionHours: config.retentionHours,
      pruneIntervalMs: config.pruneIntervalMs,
      hooks: options.relayHooks,
    });
    relay.start();
    const runtime: ServiceRuntime = { config, db, broker, publisher, relay, log };

    for (const m of modules) {
      if (!m.handlers) continue;
      const serviceLog = log.child({ service: m.name });
      const events = eventLogger(m.name, config, db);
      const consumer = new Consumer(db, publisher, serviceLog, {
        service: m.name,
        handlers: typeof m.handlers === 'function' ? m.handlers(config) : m.handlers,
        plan: queuePlanFor(m.name, config.retryDelaysMs),
        prefetch: config.prefetch,
        maxAttempts: config.maxAttempts,
        batch: m.batch,
        onHandled: events.onHandled,
        onFailed: events.onFailed,
        hooks: options.consumerHooks,
      });
      await consumer.attach(broker);
      consumers.set(m.name, consumer);
    }
    for (const m of modules) {
      if (m.start) started.set(m.name, await m.start({ ...runtime, log: log.child({ service: m.name }) }));
    }

    const ready = async () => ({ broker: broker.connected, database: await databaseReachable(db) });
    if (config.healthPort && !names.includes('api')) healthServer = await serveHealth(config.healthPort, ready);
    log.info({ services: names }, 'started');

    let stopping: Promise<{ drained: boolean }> | undefined;
    const stop = () => stopping ??= (async () => {
      const deadline = Date.now() + config.shutdownTimeoutMs;
      log.info('stopping: no new deliveries; finishing in-flight work');
      const drained = (await Promise.all([...consumers.values()].map((c) => c.stop(deadline)))).every(Boolean);
      await Promise.all([...started.values()].map((s) => s.stop(deadline)));
      await relay!.flush(deadline).catch((err) => log.warn({ err: (err as Error).message }, 'outbox flush failed; rows stay pending'));
      await relay!.stop();
      healthServer?.close();
      await broker.close();
      await db.close();
      log.info({ drained }, 'stopped');
      return { drained };
    })();
    return { runtime, consumers, services: started, ready, stop };
  } catch (err) {
    // Undo whatever had started, in the same order as a normal stop.
    const deadline = Date.now() + 2000;
    await Promise.all([...consumers.values()].map((c) => c.stop(deadline).catch(() => false)));
    await Promise.all([...started.values()].map((s) => s.stop(deadline).catch(() => undefined)));
    healthServer?.close();
    await relay?.stop().catch(() => undefined);
    await broker.close().catch(() => undefined);
    await db.close().catch(() => undefined);
    throw err;
  }
}

async function serveHealth(port: number, ready: () => Promise<{ broker: boolean; database: boolean }>): Promise<Server> {
  const server = createServer(async (req, res) => {
    if (req.url === '/health') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'ok' }));
    } else if (req.url === '/ready') {
      const r = await ready();
      const ok = r.broker && r.database;
      const checks = { broker: r.broker ? 'up' : 'down', database: r.database ? 'up' : 'down' };
      res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify(ok ? { status: 'ready', checks } : { status: 'unavailable', checks }));
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(port, resolve));
  return server;
}
