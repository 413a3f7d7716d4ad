// Publishes every committed outbox row at least once, with the same messageId,
// in order per correlation id, and marks it sent. Wakes on LISTEN/NOTIFY with a
// polling fallback. Several relays may run: rows are claimed FOR UPDATE SKIP
// LOCKED, and a relay never publishes a row while an earlier row of the same
// order is still pending elsewhere. A crash between publish and mark means the
// row is published again (same messageId), which every consumer's inbox absorbs.
import type { Database, EntityManager } from './db.ts';
import type { Logger } from './logger.ts';
import type { Publisher } from './publisher.ts';
import { UnroutableError } from './publisher.ts';
import { publishOptions } from './envelope.ts';
import { pollingLoop, type PollingLoop } from './notifications.ts';

interface OutboxRow {
  id: string;
  message_id: string;
  message_type: string;
  exchange: string;
  routing_key: string;
  correlation_id: string | null;
  causation_id: string;
  traceparent: string;
  app_id: string;
  payload: unknown;
  created_at: Date | string;
}

export interface RelayOptions {
  readonly databaseUrl: string;
  readonly batchSize: number;
  readonly pollMs: number;
  readonly retentionHours: number;
  readonly pruneIntervalMs: number;
  /** Test seam for fault injection: runs after the broker confirmed a batch and before it is marked sent. */
  readonly hooks?: { readonly afterPublish?: (messageIds: readonly string[]) => void | Promise<void> } | undefined;
}

export class OutboxRelay {
  readonly #db: Database;
  readonly #publisher: Publisher;
  readonly #log: Logger;
  readonly #options: RelayOptions;
  #loop: PollingLoop | undefined;
  #lastPrune = 0;

  constructor(db: Database, publisher: Publisher, log: Logger, options: RelayOptions) {
    this.#db = db;
    this.#publisher = publisher;
    this.#log = log;
    this.#options = options;
  }

  start(): void {
    this.#loop = pollingLoop({
      pass: async () => {
        const claimed = await this.relayBatch();
        await this.#pruneWhenDue();
        return claimed;
      },
      batchSize: this.#options.batchSize,
      pollMs: this.#options.pollMs,
      databaseUrl: this.#options.databaseUrl,
      channel: 'runtime_outbox',
      log: this.#log,
      what: 'outbox relay pass',
    });
  }

  /** Wakes the relay now (also done by NOTIFY when a transaction with events commits). */
  nudge(): void {
    this.#loop?.nudge();
  }

  /** One pass: claims, publishes and marks up to batchSize rows; returns how many were claimed. */
  async relayBatch(): Promise<number> {
    if (!this.#publisher.ready) return 0;
    return this.#db.em.fork().transactional(async (em) => {
      const claimed = await em.execute<OutboxRow[]>(
        `select id, message_id, message_type, exchange, routing_key, correlation_id, causation_id, traceparent, app_id, payload, created_at
           from runtime.outbox where status = 'pending' order by id limit ? for update skip locked`,
        [this.#options.batchSize],
      );
      if (claimed.length === 0) return 0;
      const rows = await this.#withoutBlockedOrders(em, claimed);
      if (rows.length === 0) return 0;
      const errors = await this.#publisher.publishEach(rows.map((r) => ({
        exchange: r.exchange,
        routingKey: r.routing_key,
        content: Buffer.from(typeof r.payload === 'string' ? r.payload : JSON.stringify(r.payload)),
        options: publishOptions({
          messageId: r.message_id,
          type: r.message_type,
          correlationId: r.correlation_id,
          causationId: r.causation_id,
          traceparent: r.traceparent,
          appId: r.app_id,
          timestamp: new Date(r.created_at),
        }),
      })));
      await this.#options.hooks?.afterPublish?.(rows.filter((_, i) => !errors[i]).map((r) => r.message_id));
      const sent = rows.filter((_, i) => !errors[i]).map((r) => r.id);
      if (sent.length) await em.execute(`update runtime.outbox set status = 'sent', sent_at = now() where id in (?)`, [sent]);
      for (const [i, error] of errors.entries()) {
        if (!error) continue;
        const row = rows[i];
        const unroutable = error instanceof UnroutableError;
        this.#log.error({ messageId: row.message_id, correlationId: row.correlation_id, err: error.message }, unroutable
          ? 'outbox row is unroutable; marked failed' : 'publishing an outbox row failed; will retry');
        await em.execute(`update runtime.outbox set attempts = attempts + 1, last_error = ?, status = ? where id = ?`,
          [error.message, unroutable ? 'failed' : 'pending', row.id]);
      }
      return claimed.length;
    });
  }

  /**
   * Keeps, per order, only the claimed rows that come before the order's first
   * pending row this relay did not claim (another relay holds it, uncommitted, or
   * left it behind): publishing past it would overtake it.
   */
  async #withoutBlockedOrders(em: EntityManager, rows: OutboxRow[]): Promise<OutboxRow[]> {
    const orders = [...new Set(rows.map((r) => r.correlation_id).filter((c): c is string => c !== null))];
    if (orders.length === 0) return rows;
    const foreign = await em.execute<{ correlation_id: string; first_id: string }[]>(
      `select correlation_id, min(id) as first_id from runtime.outbox
        where status = 'pending' and correlation_id in (?) and id not in (?) group by correlation_id`,
      [orders, rows.map((r) => r.id)],
    );
    if (foreign.length === 0) return rows;
    const firstForeign = new Map(foreign.map((f) => [f.correlation_id, BigInt(f.first_id)]));
    return rows.filter((r) => {
      const limit = r.correlation_id ? firstForeign.get(r.correlation_id) : undefined;
      return limit === undefined || BigInt(r.id) < limit;
    });
  }

  /** Publishes until nothing claimable is left, or the deadline passes. */
  async flush(deadline: number): Promise<void> {
    while (Date.now() < deadline && this.#publisher.ready) {
      if ((await this.relayBatch()) === 0) return;
    }
  }

  async #pruneWhenDue(): Promise<void> {
    if (Date.now() - this.#lastPrune < this.#options.pruneIntervalMs) return;
    this.#lastPrune = Date.now();
    const hours = this.#options.retentionHours;
    const em = this.#db.em.fork();
    const outbox = await em.execute(`delete from runtime.outbox where status = 'sent' and sent_at < now() - make_interval(hours => ?)`, [hours], 'run');
    const inbox = await em.execute(`delete from runtime.inbox where processed_at < now() - make_interval(hours => ?)`, [hours], 'run');
    this.#log.debug({ outbox, inbox }, 'pruned old outbox and inbox rows');
  }

  async stop(): Promise<void> {
    await this.#loop?.halt();
    await this.#loop?.close();
  }
}
