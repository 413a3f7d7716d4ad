// Vacuums and analyzes the system's own tables when PostgreSQL's autovacuum does not.
// The outbox, the pending log records and the e-mails are queues: every row is updated
// or deleted soon after it is written, and each such change leaves a dead row behind.
// With autovacuum off (a server configured so; this project's own test machine is),
// nothing removes them and nothing refreshes the planner's statistics: in a 300 s run
// flat out, PostgreSQL's CPU per order more than doubled and throughput halved after
// the second minute (bench/ROUNDS.md, "thirteenth round"). So with TABLE_MAINTENANCE=auto each
// pass first asks the server, and does nothing while autovacuum runs.
// A pass vacuums the tables whose dead rows passed a threshold, and analyzes those
// changed enough since their last analyze, as autovacuum would but with thresholds set
// for queues (a fixed number of dead rows, not a fifth of the table). It keeps autovacuum's
// pace: its cost delay, and a table analyzed at most once per autovacuum_naptime. It works on a
// connection of its own, outside any pool: VACUUM cannot run in a transaction, and the
// pass holds a session advisory lock so that of the processes sharing a database one at
// a time does it (the others skip that pass). VACUUM takes no lock that writers wait for.
import type { Logger } from './logger.ts';
import { connectOwn } from './own-connection.ts';
import { pollingLoop, type PollingLoop } from './polling-loop.ts';

/** `auto`: only while the server's autovacuum is off; `on`: always; `off`: never. */
export type TableMaintenanceMode = 'auto' | 'on' | 'off';

const MAINTENANCE_LOCK = 720_215_002;

// A pass stands in for autovacuum, so it keeps the server's autovacuum pace. A VACUUM or
// ANALYZE typed at a prompt runs flat out (vacuum_cost_delay 0), where autovacuum sleeps
// autovacuum_vacuum_cost_delay after every autovacuum_vacuum_cost_limit units of page work
// so as not to take the machine from the writers; and autovacuum analyzes a table at most
// once per autovacuum_naptime. Unpaced, a pass under load held a core for most of a second
// every 15 s, and the orders in flight waited for it (bench/ROUNDS.md, eighteenth round).
const AUTOVACUUM_PACE = `select
  set_config('vacuum_cost_delay', coalesce(nullif(current_setting('autovacuum_vacuum_cost_delay'), '-1'), current_setting('vacuum_cost_delay')), false),
  set_config('vacuum_cost_limit', coalesce(nullif(current_setting('autovacuum_vacuum_cost_limit'), '-1'), current_setting('vacuum_cost_limit')), false),
  extract(epoch from current_setting('autovacuum_naptime')::interval)::float8 * 1000 as "analyzeEveryMs"`;

/** A table is vacuumed once this many rows of it are dead. */
export const VACUUM_DEAD_ROWS = 1000;
/** And analyzed once this many rows, plus this share of its live rows, changed since its last analyze (autovacuum's defaults). */
export const ANALYZE_CHANGED_ROWS = 50;
export const ANALYZE_CHANGED_SHARE = 0.1;

/** A row of pg_stat_user_tables, as a pass reads it. */
export interface TableActivity {
  readonly table: string;
  readonly live: number;
  readonly dead: number;
  readonly changedSinceAnalyze: number;
  /** Since its last analyze, by hand or by autovacuum; null when never. */
  readonly analyzedAgoMs: number | null;
}

export interface MaintenanceWork {
  readonly table: string;
  readonly vacuum: boolean;
  readonly analyze: boolean;
}

/**
 * What a pass does to each table: the ones past a threshold, the most dead rows first. A
 * table analyzed less than `analyzeEveryMs` ago waits for its next analyze, as autovacuum
 * looks at a database once per naptime: a young table grows by a tenth in every pass,
 * and analyzing all of them every 15 s was half of a pass's work under load.
 */
export function maintenanceWork(tables: readonly TableActivity[], analyzeEveryMs = 0): MaintenanceWork[] {
  const vacuumDue = (t: TableActivity) => t.dead >= VACUUM_DEAD_ROWS;
  const analyzeDue = (t: TableActivity) => t.changedSinceAnalyze > ANALYZE_CHANGED_ROWS + ANALYZE_CHANGED_SHARE * t.live
    && (t.analyzedAgoMs === null || t.analyzedAgoMs >= analyzeEveryMs);
  return tables
    .filter((t) => vacuumDue(t) || analyzeDue(t))
    .toSorted((a, b) => b.dead - a.dead)
    .map((t) => ({ table: t.table, vacuum: vacuumDue(t), analyze: analyzeDue(t) }));
}

/** Whether a pass works, given the mode and the server's autovacuum setting. */
export function maintenanceDue(mode: TableMaintenanceMode, autovacuumOn: boolean): boolean {
  return mode === 'on' || (mode === 'auto' && !autovacuumOn);
}

/** What a pass did: `skipped` with why, or the tables it vacuumed and analyzed. */
export type PassResult =
  | { readonly skipped: 'off' | 'autovacuum runs' | 'another process maintains' }
  | { readonly vacuumed: string[]; readonly analyzed: string[] };

export interface TableMaintenanceOptions {
  readonly databaseUrl: string;
  readonly mode: TableMaintenanceMode;
  readonly intervalMs: number;
}

export class TableMaintenance {
  readonly #options: TableMaintenanceOptions;
  readonly #log: Logger;
  #loop: PollingLoop | undefined;
  #toldWhy: string | undefined;

  constructor(options: TableMaintenanceOptions, log: Logger) {
    this.#options = options;
    this.#log = log;
  }

  start(): void {
    if (this.#options.mode === 'off') return;
    this.#loop ??= pollingLoop({
      pass: async () => {
        this.#tell(await this.pass());
        return 0;
      },
      batchSize: 1,
      pollMs: this.#options.intervalMs,
      log: this.#log,
      what: 'table maintenance pass',
    });
  }

  async stop(): Promise<void> {
    await this.#loop?.halt();
    this.#loop = undefined;
  }

  /** One pass, on a connection of its own. */
  async pass(): Promise<PassResult> {
    if (this.#options.mode === 'off') return { skipped: 'off' };
    const connection = await connectOwn(this.#options.databaseUrl, 'table-maintenance');
    const { client } = connection;
    try {
      const { rows: [setting] } = await client.query<{ on: boolean }>(`select current_setting('autovacuum') = 'on' as on`);
      if (!maintenanceDue(this.#options.mode, setting!.on)) return { skipped: 'autovacuum runs' };
      const { rows: [locked] } = await client.query<{ got: boolean }>('select pg_try_advisory_lock($1) as got', [MAINTENANCE_LOCK]);
      if (!locked!.got) return { skipped: 'another process maintains' };
      try {
        const { rows: [pace] } = await client.query<{ analyzeEveryMs: number }>(AUTOVACUUM_PACE);
        // each table as regclass text: quoted where it must be, qualified where off the search path
        const { rows } = await client.query<TableActivity>(
          `select relid::regclass::text as table, n_live_tup::float8 as live, n_dead_tup::float8 as dead, n_mod_since_analyze::float8 as "changedSinceAnalyze",
                  extract(epoch from now() - greatest(last_analyze, last_autoanalyze))::float8 * 1000 as "analyzedAgoMs"
             from pg_stat_user_tables`);
        const vacuumed: string[] = [];
        const analyzed: string[] = [];
        for (const work of maintenanceWork(rows, pace!.analyzeEveryMs)) {
          const what = [work.vacuum ? 'vacuum' : undefined, work.analyze ? 'analyze' : undefined].filter(Boolean).join(' and ');
          const statement = work.vacuum ? `vacuum (${work.analyze ? 'analyze, ' : ''}skip_locked) ${work.table}` : `analyze (skip_locked) ${work.table}`;
          await client.query(statement).catch((err: Error) => { throw new Error(`table maintenance: ${what} of ${work.table} failed: ${err.message}`, { cause: err }); });
          if (work.vacuum) vacuumed.push(work.table);
          if (work.analyze) analyzed.push(work.table);
        }
        return { vacuumed, analyzed };
      } finally {
        // a connection the server dropped released the lock with it; the pass fails with what dropped it
        await client.query('select pg_advisory_unlock($1)', [MAINTENANCE_LOCK]).catch(() => undefined);
      }
    } finally {
      await connection.end();
    }
  }

  /**
   * Says once at info why the process does (or does not) maintain the tables, and again
   * when that changes; a pass another process made is no news, and what a pass did is debug.
   */
  #tell(result: PassResult): void {
    if ('skipped' in result && result.skipped === 'another process maintains') {
      this.#log.debug('table maintenance: another process holds the lock; skipped this pass');
      return;
    }
    const why = 'skipped' in result ? result.skipped : 'working';
    if (why !== this.#toldWhy) {
      this.#toldWhy = why;
      if (why === 'autovacuum runs') this.#log.info('table maintenance: the server\'s autovacuum runs; nothing to do here');
      else this.#log.info({ mode: this.#options.mode, everyMs: this.#options.intervalMs },
        this.#options.mode === 'auto' ? 'table maintenance: the server\'s autovacuum is off, so this process vacuums and analyzes the system\'s tables' : 'table maintenance: on');
    }
    if ('vacuumed' in result && (result.vacuumed.length || result.analyzed.length)) this.#log.debug(result, 'table maintenance pass');
  }
}
