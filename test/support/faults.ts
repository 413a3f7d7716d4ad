// Fault injectors for the fault suite: the machine's own PostgreSQL and RabbitMQ
// (restart, stop/start, backends terminated, connections closed), and runScenario,
// which runs one fault start to verdict. Every injector that takes a server down
// restores it in a finally and waits until it answers again, because other tests
// and other people's runs share these servers.
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { promisify } from 'node:util';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import amqp from 'amqplib';
import { AMQP_BASE, createTestEnv, eventually, management, PG_ADMIN_URL, sql, type TestEnv } from './env.ts';
import { startSmtpServer, type TestSmtpServer } from './smtp.ts';
import { addProduct } from './shop.ts';
import { LOG_DIR, startSystem, type RunningSystem } from './system.ts';
import { mixedPlan, placeOrders, type LoadResult, type OrderPlan } from './load.ts';
import { checkInvariants, waitForQuiescence, watchStock, type InvariantResult } from './invariants.ts';

const run = promisify(execFile);
export const RABBITMQCTL = process.env.RABBITMQCTL ?? (existsSync('/usr/sbin/rabbitmqctl') ? '/usr/sbin/rabbitmqctl' : 'rabbitmqctl');

async function command(file: string, args: readonly string[], what: string): Promise<string> {
  try {
    const { stdout, stderr } = await run(file, args, { timeout: 120_000 });
    return `${stdout}${stderr}`;
  } catch (err) {
    const e = err as Error & { stdout?: string; stderr?: string };
    throw new Error(`${what} failed (${file} ${args.join(' ')}): ${e.message} ${e.stdout ?? ''} ${e.stderr ?? ''}`.trim());
  }
}

function pgVersion(): string {
  const versions = readdirSync('/etc/postgresql');
  if (versions.length !== 1) throw new Error(`expected one PostgreSQL cluster version under /etc/postgresql, found ${versions.join(', ') || 'none'}`);
  return versions[0];
}

async function pgCtl(action: 'start' | 'stop' | 'restart'): Promise<string> {
  return command('pg_ctlcluster', ['--skip-systemctl-redirect', pgVersion(), 'main', action], `PostgreSQL ${action}`);
}

/** Resolves once PostgreSQL accepts a query again (60 s at most). */
export async function waitForPostgres(timeoutMs = 60_000): Promise<void> {
  await eventually(async () => (await sql(PG_ADMIN_URL, 'select 1 as ok'))[0]?.ok === 1, 'PostgreSQL to answer', timeoutMs, 200);
}

/** Resolves once RabbitMQ accepts an AMQP connection again (90 s at most). */
export async function waitForRabbit(timeoutMs = 90_000): Promise<void> {
  await eventually(async () => {
    const conn = await amqp.connect(AMQP_BASE);
    await conn.close();
    return true;
  }, 'RabbitMQ to accept connections', timeoutMs, 500);
}

/**
 * Restarts the machine's PostgreSQL (every backend gets 57P01). Whatever happens,
 * the server is started again and answers before this returns; resolves with the
 * moment it answered again (ms since epoch).
 */
export async function restartPostgres(): Promise<number> {
  try {
    await pgCtl('restart');
  } finally {
    await waitForPostgres().catch(async () => {
      await pgCtl('start').catch(() => undefined);
      await waitForPostgres();
    });
  }
  return Date.now();
}

/**
 * Makes the database read-only for downMs, as a failover's window is (the address still
 * reaches a standby, or the old primary being demoted: every write fails with SQLSTATE
 * 25006), then writable again; its sessions are ended at each turn, as a failover ends
 * them, so that the pools' next connections take the setting. Always writable again when
 * this returns.
 */
export async function readOnlyWindow(database: string, downMs: number): Promise<void> {
  await sql(PG_ADMIN_URL, `alter database "${database}" set default_transaction_read_only = on`);
  try {
    await terminateBackends(database);
    await sleep(downMs);
  } finally {
    await sql(PG_ADMIN_URL, `alter database "${database}" reset default_transaction_read_only`);
    await terminateBackends(database);
  }
}

/** Terminates every backend connected to the database (except this one); resolves with how many. */
export async function terminateBackends(database: string): Promise<number> {
  const rows = await sql<{ n: number }>(PG_ADMIN_URL,
    `select count(*) filter (where pg_terminate_backend(pid))::int as n from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()`, [database]);
  return rows[0]?.n ?? 0;
}

/**
 * Stops the RabbitMQ application for downMs, then starts it again; in a finally,
 * so the broker is running and accepting connections whenever this returns.
 */
export async function restartRabbit(downMs: number): Promise<void> {
  try {
    await command(RABBITMQCTL, ['stop_app'], 'RabbitMQ stop_app');
    await sleep(downMs);
  } finally {
    await command(RABBITMQCTL, ['start_app'], 'RabbitMQ start_app');
    await waitForRabbit();
  }
}

interface NodeResources { readonly name: string; readonly disk_free_limit: number; readonly disk_free: number; readonly disk_free_alarm: boolean }

async function rabbitNode(): Promise<NodeResources> {
  const [node] = await (await management('/nodes')).json() as NodeResources[];
  if (!node) throw new Error('RabbitMQ management API listed no node');
  return node;
}

/**
 * Runs `during` with RabbitMQ's disk alarm raised (its free-disk limit set above the disk's
 * free space): the broker blocks every connection that publishes, on the whole machine,
 * until the alarm clears. In a finally, the limit it had is set again and the alarm is
 * seen cleared before this returns.
 */
export async function withDiskAlarm<T>(during: () => Promise<T>): Promise<T> {
  const before = await rabbitNode();
  try {
    await command(RABBITMQCTL, ['set_disk_free_limit', String(before.disk_free * 2)], 'RabbitMQ set_disk_free_limit');
    await eventually(async () => (await rabbitNode()).disk_free_alarm, 'the disk alarm raised', 30_000, 200);
    return await during();
  } finally {
    await command(RABBITMQCTL, ['set_disk_free_limit', String(before.disk_free_limit)], 'RabbitMQ set_disk_free_limit (restore)');
    await eventually(async () => !(await rabbitNode()).disk_free_alarm, 'the disk alarm cleared', 30_000, 200);
  }
}

/** The broker closes every client connection of the vhost (server-side close). */
export async function closeBrokerConnections(vhost: string, why: string): Promise<string> {
  return command(RABBITMQCTL, ['close_all_connections', '-p', vhost, why], 'RabbitMQ close_all_connections');
}

/** Fires `inject` once, the first time `ready()` is true; remembers a failure so the test reports it. */
export class OneShot {
  #fired = false;
  #done: Promise<Error | undefined> | undefined;
  readonly #inject: () => Promise<void>;
  constructor(inject: () => Promise<void>) {
    this.#inject = inject;
  }
  fire(): void {
    if (this.#fired) return;
    this.#fired = true;
    // Settled into a value at once: a fault failing before done() is awaited must not
    // become an unhandled rejection that kills the test process.
    this.#done = this.#inject().then(() => undefined, (err: unknown) => (err instanceof Error ? err : new Error(String(err))));
  }
  /** Waits for the fault (and its restoration) to finish; rethrows its error. */
  async done(): Promise<void> {
    if (!this.#fired) throw new Error('the fault was never injected (the load ended before its trigger)');
    const error = await this.#done;
    if (error) throw error;
  }
}

// ---- One fault scenario, start to verdict --------------------------------------------

/** FAULT_SUITE=full: more orders and every scenario; otherwise the short form for CI. */
export const FULL = process.env.FAULT_SUITE === 'full';
export const FORM = FULL ? 'full' : 'short';

/**
 * How long a run may take to go quiet after the load. An e-mail whose send a fault
 * interrupts (SIGKILL, PostgreSQL restart, backends terminated) keeps its dispatcher
 * lease (120 s, runtime/mail/dispatcher.ts) before it is sent again: the design promises
 * delivery after the lease, so the wait outlasts it. A quiet run returns at once.
 */
export const QUIESCENCE_MS = FULL ? 300_000 : 160_000;

export interface ScenarioContext {
  readonly env: TestEnv;
  readonly system: RunningSystem;
  /** Stops the SMTP server for downMs, then starts a new one on the same port (mails kept). */
  smtpOutage(downMs: number): Promise<void>;
  /** Named results of the scenario's own checks, added to its row. */
  readonly extra: InvariantResult[];
  /** Dead-letter queue → messageIds of the poison the scenario injected. */
  readonly expectedDeadLetters: Record<string, string[]>;
  /** Free text for the report. */
  readonly notes: string[];
}

export interface ScenarioOptions {
  readonly label: string;
  readonly orders: number;
  readonly concurrency: number;
  readonly spacingMs?: number;
  /** Stock per product set before the load (other products keep the seeded stock). */
  readonly stock?: Record<string, number>;
  readonly plan?: (i: number) => OrderPlan;
  /** More environment for the system (payment settings...), or a function of the scenario's database and vhost (a URL through a proxy). */
  readonly settings?: Record<string, string> | ((env: TestEnv) => Record<string, string>);
  /** Share of the orders accepted before the fault fires (0..1). */
  readonly faultAt?: number;
  readonly fault?: (ctx: ScenarioContext) => Promise<void>;
  /** Checks after quiescence, before the invariants. */
  readonly after?: (ctx: ScenarioContext, load: LoadResult) => Promise<void>;
  readonly quiescenceMs?: number;
  /** A run that is meant to show violations (the checker's own test): no log dump. */
  readonly expectViolations?: boolean;
}

/**
 * Starts a fresh vhost, database, SMTP server and system; places the orders; fires the
 * fault once the given share is accepted; waits for quiescence; returns the row of
 * invariant results (the scenario's own checks appended). Cleans up whatever happens;
 * prints the system's log when a result is ✘.
 */
export async function runScenario(options: ScenarioOptions): Promise<InvariantResult[]> {
  // Where a scenario's time goes, for the report: the suite's length is planned from it.
  const phases: string[] = [];
  let phaseStart = Date.now();
  const phaseDone = (name: string) => { phases.push(`${name} ${((Date.now() - phaseStart) / 1000).toFixed(1)} s`); phaseStart = Date.now(); };
  const env = await createTestEnv(options.label);
  const smtps: TestSmtpServer[] = [await startSmtpServer()];
  let system: RunningSystem | undefined;
  const extra: InvariantResult[] = [];
  let results: InvariantResult[] = [];
  try {
    system = await startSystem({ env, smtpUrl: smtps[0].url, label: options.label, settings: { PAYMENT_SEED: `seed-${options.label}`, ...(typeof options.settings === 'function' ? options.settings(env) : options.settings) } });
    for (const [productId, stock] of Object.entries(options.stock ?? { A1215: 300, A1216: 120, B2001: 40 })) {
      const updated = await sql(env.databaseUrl, 'update shop.products set stock_on_hand = $2 where product_id = $1 returning 1', [productId, stock]);
      if (updated.length === 0) await addProduct(env.databaseUrl, productId, stock);
    }
    const initialStock = new Map((await sql<{ product_id: string; stock_on_hand: number }>(env.databaseUrl, 'select product_id, stock_on_hand from shop.products'))
      .map((r) => [r.product_id, r.stock_on_hand]));
    phaseDone('start');
    const ctx: ScenarioContext = {
      env, system, extra, expectedDeadLetters: {}, notes: [],
      smtpOutage: async (downMs) => {
        const { port } = smtps[smtps.length - 1];
        await smtps[smtps.length - 1].close();
        await sleep(downMs);
        smtps.push(await startSmtpServer(port));
      },
    };
    const fault = new OneShot(async () => options.fault?.(ctx));
    const trigger = Math.max(1, Math.floor(options.orders * (options.faultAt ?? 0.3)));
    const watcher = watchStock(env.databaseUrl);
    const load = await placeOrders({
      apiUrl: system.apiUrl, count: options.orders, concurrency: options.concurrency, spacingMs: options.spacingMs,
      tag: options.label, plan: options.plan ?? mixedPlan(options.label),
      onAccepted: (n) => { if (options.fault && n >= trigger) fault.fire(); },
    });
    if (options.fault) {
      let faultError: Error | undefined;
      await fault.done().catch((err: Error) => { faultError = err; });
      extra.push({ name: 'fault injected and restored', ok: !faultError, detail: faultError ? faultError.message : 'yes' });
    }
    phaseDone('load and fault');
    extra.push({
      name: 'every order accepted', ok: load.refused.length === 0,
      detail: `${load.placed.length}/${options.orders} got a 202 (${load.hiccups.length} retried request(s))${load.refused.length ? `; refused: ${load.refused.slice(0, 3).map((r) => `#${r.index} ${r.last}`).join('; ')}` : ''}`,
    });
    const quiet = await waitForQuiescence({ databaseUrl: env.databaseUrl, amqpUrl: env.amqpUrl, vhost: env.vhost, placed: load.placed }, options.quiescenceMs ?? QUIESCENCE_MS);
    const { lowest, samples, failedSamples } = await watcher.stop();
    phaseDone('quiescence');
    await options.after?.(ctx, load);
    const invariants = await checkInvariants({
      databaseUrl: env.databaseUrl, amqpUrl: env.amqpUrl, vhost: env.vhost, placed: load.placed, initialStock,
      mails: smtps.flatMap((s) => s.mails), expectedDeadLetters: ctx.expectedDeadLetters, lowestStockSeen: lowest,
    });
    phaseDone('checks');
    // The phases ride on the quiescence row, which the report shows for every scenario.
    extra.push({ name: 'quiescence', ok: quiet.quiet, detail: `${quiet.quiet ? 'quiet' : 'never quiet'} after ${quiet.waitedMs} ms: ${quiet.last} (phases: ${phases.join(', ')})` });
    results = [...invariants, ...extra];
    ctx.notes.push(`${samples} stock samples (${failedSamples} failed during the fault)`);
    if (ctx.notes.length) console.log(`${options.label}: ${ctx.notes.join('; ')}`);
    return results;
  } catch (err) {
    results = [...extra, { name: 'scenario ran', ok: false, detail: `${(err as Error).message}${system ? '' : ` (system log: ${path.join(LOG_DIR, `${options.label}.log`)})`}` }];
    return results;
  } finally {
    if (system) {
      const code = await system.stop().catch(() => null);
      if (results.some((r) => !r.ok) && !options.expectViolations) {
        console.log(`\n---- ${options.label}: ✘ ${results.filter((r) => !r.ok).map((r) => `${r.name}: ${r.detail}`).join('\n  ✘ ')}`);
        console.log(`---- system log (${system.logFile}, last 60 lines; exit ${code}) ----\n${system.output().split('\n').slice(-60).join('\n')}\n---- end of log ----`);
      }
    }
    for (const s of smtps) await s.close().catch(() => undefined);
    await env.cleanup().catch((err: Error) => console.log(`${options.label}: cleanup failed: ${err.message}`));
  }
}
