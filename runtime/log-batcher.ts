// Sends the log records that transactions left in runtime.pending_log_records as
// LogEmitted batches: each pass takes up to batchSize transactions' records per service,
// oldest first, deletes them and writes them as one LogEmitted per service (more when
// they are over batchSize records or maxBytes) to the outbox, in one transaction. From
// there the outbox carries the batch as any event (published
// straight after the commit, the relay's pass as the fallback, the same messageId on
// every try, so log-persistence stores each record once). A crash before the commit
// leaves the records pending for the next pass; after it, the batch is an outbox row.
// Records wait at most about pollMs: at info level every handled message writes one,
// and a LogEmitted per transaction was half of all messages published.
// Each process batches only the records of the services it runs: a batch goes out
// under its service's broker user, as the records' writer. Its loop looks only when the
// process wrote records since its last pass, and otherwise every IDLE_LOOK-th poll, for
// records a stopped process left: a pass costs three round trips, and ten processes
// looking five times a second for nothing was a fifth more round trips at 75 orders/s.
import type { Database } from './db.ts';
import { logEmitted } from './event-log.ts';
import type { Logger } from './logger.ts';
import { invalidEventError, logRecordStatementsSoFar, writeBatchesToOutbox } from './outbox.ts';
import { pollingLoop, type PollingLoop } from './polling-loop.ts';
import type { Outgoing } from './publisher.ts';
import type { LogRecord } from '../generated/types.ts';

/**
 * Takes, for each of the services (?), up to ? of its pending rows (a transaction's records each), oldest first:
 * one index scan per service (pending_log_records_by_service_idx), rows another batcher
 * holds skipped. Exported for the plan test (query-plans.int).
 */
export const CLAIM_PENDING_LOG_RECORDS = `delete from runtime.pending_log_records
  where id = any(array(
    select c.id from unnest(array[?]::text[]) as s(app_id)
      cross join lateral (
        select id from runtime.pending_log_records where app_id = s.app_id
         order by id limit ? for update skip locked) c))
  returning id, app_id, records`;

/**
 * Set in the claim's transaction. Every record is deleted soon after it is written, so the
 * table is mostly dead rows between vacuums; the planner, counting them or few live rows,
 * chose a bitmap or sequential scan and a sort, which read every dead row again on every
 * pass and never mark dead index entries. No statement shape made it choose the index
 * scan, which reads only the rows it returns and marks what it passes dead.
 */
export const CLAIM_PLAN_SETTINGS = 'set local enable_seqscan = off; set local enable_bitmapscan = off';

interface PendingRow {
  readonly id: string;
  readonly app_id: string;
  readonly records: LogRecord[];
}

/** The records in order, cut into runs of at most `count` records and `maxBytes` of JSON (a record larger alone is a run of its own). */
export function runsOf(records: readonly LogRecord[], count: number, maxBytes: number): LogRecord[][] {
  const runs: LogRecord[][] = [];
  let run: LogRecord[] = [];
  let bytes = 0;
  for (const record of records) {
    const size = Buffer.byteLength(JSON.stringify(record)) + 1;
    if (run.length && (run.length >= count || bytes + size > maxBytes)) {
      runs.push(run);
      run = [];
      bytes = 0;
    }
    run.push(record);
    bytes += size;
  }
  if (run.length) runs.push(run);
  return runs;
}

/** A loop that wrote nothing since its last pass still looks every this many polls. */
const IDLE_LOOK = 10;

export interface LogBatcherOptions {
  /** Services whose records this process sends. */
  readonly services: readonly string[];
  /** Records per LogEmitted, at most (the contract allows 1000); also the transactions' rows a pass takes per service. */
  readonly batchSize: number;
  /** A service's records larger than this together go out as several LogEmitted (a consumer refuses a message over MAX_MESSAGE_BYTES). */
  readonly maxBytes: number;
  readonly pollMs: number;
  /** Hands the batches, once committed to the outbox, to be published (OutboxRelay.publishCommitted). */
  readonly publish: (messages: readonly Outgoing[]) => void;
}

export class LogBatcher {
  readonly #db: Database;
  readonly #log: Logger;
  readonly #options: LogBatcherOptions;
  #loop: PollingLoop | undefined;
  /** logRecordStatementsSoFar() at the loop's last pass, and the polls skipped since. */
  #seenStatements = -1;
  #skipped = 0;
  /** The last pass came back full: there may be more, whatever the count says. */
  #more = false;

  constructor(db: Database, log: Logger, options: LogBatcherOptions) {
    this.#db = db;
    this.#log = log;
    this.#options = options;
  }

  start(): void {
    if (this.#options.services.length === 0) return;
    this.#loop = pollingLoop({
      pass: () => this.#passWhenDue(),
      batchSize: this.#options.batchSize,
      pollMs: this.#options.pollMs,
      log: this.#log,
      what: 'log batch pass',
    });
  }

  async #passWhenDue(): Promise<number> {
    const statements = logRecordStatementsSoFar();
    if (statements === this.#seenStatements && !this.#more && ++this.#skipped < IDLE_LOOK) return 0;
    this.#seenStatements = statements;
    this.#skipped = 0;
    try {
      const largest = await this.batch();
      this.#more = largest >= this.#options.batchSize;
      return largest;
    } catch (err) {
      this.#seenStatements = -1; // the retry must look
      throw err;
    }
  }

  /** One pass: a LogEmitted per service with pending records. Returns the most rows taken for one service, so a full take goes again at once. */
  async batch(): Promise<number> {
    const { services, batchSize } = this.#options;
    if (services.length === 0) return 0;
    const { largest, outgoing } = await this.#db.em.fork().transactional(async (em) => {
      await em.execute(CLAIM_PLAN_SETTINGS);
      const rows = await em.execute<PendingRow[]>(CLAIM_PENDING_LOG_RECORDS, [services, batchSize]);
      if (rows.length === 0) return { largest: 0, outgoing: [] as Outgoing[] };
      rows.sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
      const byService = [...Map.groupBy(rows, (r) => r.app_id)];
      const written = byService.flatMap(([service, own]) => runsOf(this.#accepted(service, own.flatMap((r) => r.records)), batchSize, this.#options.maxBytes)
        .map((run) => ({ events: logEmitted(service, run), cause: { service } })));
      return {
        largest: Math.max(...byService.map(([, own]) => own.length)),
        outgoing: await writeBatchesToOutbox(em, written, { last: true }),
      };
    });
    if (outgoing.length) this.#options.publish(outgoing);
    return largest;
  }

  /**
   * The records the contract accepts. One it refuses (written under an older contract, or
   * by hand) is logged with its content and dropped: left pending, it would hold back every
   * later batch of its service.
   */
  #accepted(service: string, records: readonly LogRecord[]): readonly LogRecord[] {
    const asOne = (some: readonly LogRecord[]) => invalidEventError(logEmitted(service, some)[0]!, { service });
    if (!asOne(records)) return records;
    return records.filter((record) => {
      const refused = asOne([record]);
      if (refused) this.#log.error({ service, record, err: refused.message }, 'a pending log record is refused by the contract; dropped');
      return !refused;
    });
  }

  /** Sends every pending record, until the deadline (at a stop, before the outbox is flushed). */
  async flush(deadline: number): Promise<void> {
    await this.#loop?.halt();
    this.#loop = undefined;
    for (;;) {
      if ((await this.batch()) < this.#options.batchSize) return;
      if (Date.now() >= deadline) {
        this.#log.warn('log records still pending at the stop deadline; the next start sends them');
        return;
      }
    }
  }

  async stop(): Promise<void> {
    await this.#loop?.halt();
    this.#loop = undefined;
  }
}
