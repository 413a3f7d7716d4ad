// A fresh RabbitMQ vhost and PostgreSQL database per test file, removed afterwards,
// so leftovers never leak between runs; plus the configuration that points at them.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { loadConfig, type Config } from '../../runtime/config.ts';
import { managementRequest } from '../../runtime/rabbitmq-management.ts';

/** The machine's RabbitMQ as its administrator, with no vhost: each test's vhost is made beside it. */
export const AMQP_BASE = process.env.TEST_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
/** The machine's PostgreSQL as its superuser, on its maintenance database: test databases are made from here. */
export const PG_ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const MANAGEMENT = process.env.TEST_RABBITMQ_MANAGEMENT_URL ?? 'http://guest:guest@127.0.0.1:15672';

export interface TestEnv {
  readonly name: string;
  readonly vhost: string;
  readonly amqpUrl: string;
  readonly databaseUrl: string;
  config(overrides?: Record<string, string>): Config;
  cleanup(): Promise<void>;
}

export async function management(path: string, init: RequestInit = {}): Promise<Response> {
  return managementRequest(MANAGEMENT, path, init);
}

/**
 * A client for one short use. A server that goes away (a restart by a fault test) also
 * emits 'error' on the client besides failing its query: without a listener that event
 * would crash the test process; the failed query still reports it.
 */
function shortLivedClient(connectionString: string): pg.Client {
  const client = new pg.Client({ connectionString });
  client.on('error', () => undefined);
  return client;
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = shortLivedClient(PG_ADMIN_URL);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined); // a connection the server already closed has nothing left to end
  }
}

export async function createTestEnv(label: string): Promise<TestEnv> {
  // The creation time is in the name, so a sweep can remove what a killed test file left behind.
  const name = `t_${Math.floor(Date.now() / 1000).toString(36)}_${label.replace(/[^a-z0-9]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
  await management(`/vhosts/${encodeURIComponent(name)}`, { method: 'PUT', body: '{}' });
  await management(`/permissions/${encodeURIComponent(name)}/guest`, {
    method: 'PUT', body: JSON.stringify({ configure: '.*', write: '.*', read: '.*' }),
  });
  await admin((c) => c.query(`create database "${name}"`));
  const amqpUrl = `${AMQP_BASE}/${encodeURIComponent(name)}`;
  const dbUrl = new URL(PG_ADMIN_URL);
  dbUrl.pathname = `/${name}`;
  const databaseUrl = dbUrl.toString();
  return {
    name,
    vhost: name,
    amqpUrl,
    databaseUrl,
    config: (overrides = {}) => loadConfig({
      AMQP_URL: amqpUrl,
      DATABASE_URL: databaseUrl,
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      RETRY_DELAYS_MS: '100,300',
      MAX_ATTEMPTS: '3',
      RELAY_POLL_MS: '200',
      SHUTDOWN_TIMEOUT_MS: '5000',
      PAYMENT_LATENCY_MS: '0',
      PAYMENT_SEED: 'test-seed',
      // tests post from one address faster than a client may; test/rate-limit.int.spec.ts turns it on
      ORDER_RATE_LIMIT_MAX: '0',
      // a test's database lives for seconds; test/table-maintenance.int.spec.ts turns it on
      TABLE_MAINTENANCE: 'off',
      ...overrides,
    }),
    cleanup: async () => {
      await management(`/vhosts/${encodeURIComponent(name)}`, { method: 'DELETE' });
      await admin((c) => c.query(`drop database if exists "${name}" with (force)`));
    },
  };
}

/**
 * Waits until PostgreSQL runs queries and RabbitMQ's management API answers (a fault
 * test that died mid-restart may leave them coming back); throws after timeoutMs.
 */
export async function servicesAnswer(timeoutMs = 60_000): Promise<void> {
  await eventually(async () => {
    await admin((c) => c.query('select 1'));
    await management('/overview');
    return true;
  }, 'PostgreSQL and RabbitMQ to answer', timeoutMs, 500);
}

/** t_<creation time, base-36 seconds>_<label>_<random>. */
const TEST_ENV_NAME = /^t_([0-9a-z]{6})_[a-z0-9_]+_[0-9a-f]{8}$/;

/**
 * Removes the vhosts and databases of test environments created more than maxAgeMs ago
 * (a test file killed at its time limit never cleans up); returns their names.
 */
export async function sweepStaleTestEnvs(maxAgeMs: number): Promise<string[]> {
  const stale = (name: string) => {
    const match = TEST_ENV_NAME.exec(name);
    return match !== null && Date.now() - parseInt(match[1], 36) * 1000 > maxAgeMs;
  };
  const vhosts = ((await (await management('/vhosts?columns=name')).json()) as { name: string }[]).map((v) => v.name).filter(stale);
  const databases = (await admin((c) => c.query<{ datname: string }>(`select datname from pg_database where datname like 't\\_%'`)))
    .rows.map((r) => r.datname).filter(stale);
  for (const vhost of vhosts) await management(`/vhosts/${encodeURIComponent(vhost)}`, { method: 'DELETE' });
  for (const db of databases) await admin((c) => c.query(`drop database if exists "${db}" with (force)`));
  return [...new Set([...vhosts, ...databases])];
}

/**
 * Polls until check returns a truthy value (returned) or the time is up (throws with the
 * last state). check must only look: a read that consumes (drainQueue, a basic.get) would
 * throw away whatever a poll read before the condition held; use collect for those.
 */
export async function eventually<T>(check: () => Promise<T | undefined | false | null>, what: string, timeoutMs = 20_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      // a check that never settles (a connect or confirm lost in a fault) must not outlast the deadline
      const value = await withinDeadline(check(), deadline, what);
      if (value) return value;
      last = value;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`);
}

async function withinDeadline<T>(work: Promise<T>, deadline: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`one check for ${what} was still running at the deadline`)), Math.max(deadline - Date.now(), 0));
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Polls a consuming read (e.g. drainQueue) and keeps every item it ever returned, until
 * enough(all items so far) holds; returns all of them. Nothing read is ever dropped, so
 * items arriving over several polls are all seen.
 */
export async function collect<T>(read: () => Promise<readonly T[]>, enough: (all: readonly T[]) => boolean, what: string, timeoutMs = 20_000, everyMs = 100): Promise<T[]> {
  const all: T[] = [];
  try {
    return await eventually(async () => {
      all.push(...await read());
      return enough(all) ? all : undefined;
    }, what, timeoutMs, everyMs);
  } catch (err) {
    throw new Error(`${(err as Error).message}; collected ${all.length} item(s) by then`, { cause: err });
  }
}

/** Runs one query against a test database. */
export async function sql<T = Record<string, unknown>>(databaseUrl: string, text: string, params: unknown[] = []): Promise<T[]> {
  const client = shortLivedClient(databaseUrl);
  await client.connect();
  try {
    return (await client.query(text, params)).rows as T[];
  } finally {
    await client.end().catch(() => undefined); // a connection the server already closed has nothing left to end
  }
}
