// Publishes every committed outbox row at least once, with the same messageId,
// and marks it sent. Two paths:
// - Straight after the commit: the process that wrote the rows publishes them
//   (publishCommitted) and marks what the broker confirmed, many rows per update.
//   Rows of one transaction go out in their order; an event caused by another is
//   written only after its cause was consumed, so causal order holds too.
// - The fallback pass, polled: rows still pending after graceMs (the writer
//   crashed, the broker was down, a publish failed) are claimed FOR UPDATE SKIP
//   LOCKED by any relay and published in order per correlation id; a relay never
//   publishes a row while an earlier row of the same order is pending elsewhere.
// A crash between publish and mark means the row is published again (same
// messageId), which every consumer's inbox absorbs.
// Each row goes out as the service that wrote it (its app_id): through that service's
// own publisher, under its broker user. So a relay takes only rows of the services its
// process runs; a crashed service's rows wait for it to come back.
import type { Database, EntityManager } from './db.ts';
import type { Logger } from './logger.ts';
import type { Publisher } from './publisher.ts';
import { UnroutableError, type Outgoing } from './publisher.ts';
import { publishOptions } from './envelope.ts';
import { pollingLoop, type PollingLoop } from './polling-loop.ts';

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

/**
 * Claims, for each of the services (?), up to ? of its rows pending for at least ?
 * seconds, oldest first. One index scan per service (outbox_pending_by_service_idx):
 * with the services in one scan the planner chose a bitmap scan, which checks every row
 * sent since the last vacuum against the table again on every pass. Exported for the
 * plan test (query-plans.int).
 */
export const CLAIM_LATE_OUTBOX_ROWS = `select o.* from unnest(array[?]::text[]) as s(app_id)
  cross join lateral (
    select id, message_id, message_type, exchange, routing_key, correlation_id, causation_id, traceparent, app_id, payload, created_at
      from runtime.outbox
     where status = 'pending' and app_id = s.app_id and created_at <= now() - make_interval(secs => ?)
     order by id limit ? for update skip locked) o
  order by o.id`;

/**
 * Counts, for each of the services (?), up to ? of its rows pending for at least ? seconds
 * (OutboxRelay.unpublished). One index scan per service, as in CLAIM_LATE_OUTBOX_ROWS: over
 * the whole table the planner chose a bitmap scan, which visits every row sent since the
 * last vacuum. Exported for the plan test (query-plans.int).
 */
export const COUNT_UNPUBLISHED_OUTBOX_ROWS = `select count(*)::int as n from unnest(array[?]::text[]) as s(app_id)
  cross join lateral (
    select 1 from runtime.outbox
     where status = 'pending' and app_id = s.app_id and created_at <= now() - make_interval(secs => ?)
     order by id limit ?) late`;

export interface RelayOptions {
  readonly batchSize: number;
  readonly pollMs: number;
  /** Rows younger than this are left to the writer's own publish; older pending ones are the pass's. */
  readonly graceMs: number;
  /** How long confirmed messages wait to be marked sent together (one update for all). */
  readonly markDelayMs: number;
  readonly retentionHours: number;
  readonly pruneIntervalMs: number;
  /** Test seam for fault injection: runs after the broker confirmed a batch and before it is marked sent. */
  readonly hooks?: { readonly afterPublish?: (messageIds: readonly string[]) => void | Promise<void> } | undefined;
}

export class OutboxRelay {
  readonly #db: Database;
  /** By service: each service's rows go out under its own broker user. */
  readonly #publishers: ReadonlyMap<string, Publisher>;
  readonly #log: Logger;
  readonly #options: RelayOptions;
  #loop: PollingLoop | undefined;
  #lastPrune = 0;
  /** Confirmed by the broker, not yet marked sent. */
  #toMark: string[] = [];
  #markTimer: NodeJS.Timeout | undefined;
  #marking: Promise<void> = Promise.resolve();
  readonly #publishing = new Set<Promise<void>>();
  /** Handed to publishCommitted and not yet marked sent: the pass leaves these rows to it, however long that takes. */
  readonly #inFlight = new Set<string>();

  constructor(db: Database, publishers: ReadonlyMap<string, Publisher>, log: Logger, options: RelayOptions) {
    this.#db = db;
    this.#publishers = publishers;
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
      log: this.#log,
      what: 'outbox relay pass',
    });
  }

  /**
   * Publishes messages whose outbox rows the caller has just committed, and marks
   * them sent once confirmed. Never throws: what fails here stays pending for the pass.
   */
  publishCommitted(messages: readonly Outgoing[]): void {
    for (const [service, own] of Map.groupBy(messages, (m) => String(m.options.appId))) {
      const publisher = this.#publishers.get(service);
      if (publisher?.ready) this.#publishOwn(publisher, own);
    }
  }

  #publishOwn(publisher: Publisher, messages: readonly Outgoing[]): void {
    const ids = messages.map((m) => m.options.messageId);
    for (const id of ids) this.#inFlight.add(id);
    const work = publisher.publishEach(messages).then(async (errors) => {
      const sent = ids.filter((_, i) => !errors[i]);
      for (const [i, error] of errors.entries()) if (error) this.#inFlight.delete(ids[i]!);
      await this.#options.hooks?.afterPublish?.(sent);
      this.#markSent(sent);
      const failed = errors.filter((e) => e !== undefined);
      if (failed.length) this.#log.warn({ failed: failed.length, err: failed[0]!.message }, 'publishing committed events failed; the relay pass publishes them');
    }).catch((err: Error) => {
      for (const id of ids) this.#inFlight.delete(id);
      this.#log.warn({ messages: messages.length, err: err.message }, 'publishing committed events failed; the relay pass publishes them');
    });
    this.#publishing.add(work);
    void work.finally(() => this.#publishing.delete(work));
  }

  #markSent(messageIds: readonly string[]): void {
    if (messageIds.length === 0) return;
    this.#toMark.push(...messageIds);
    if (this.#toMark.length >= 1000) this.#flushMarks();
    else this.#markTimer ??= setTimeout(() => this.#flushMarks(), this.#options.markDelayMs);
  }

  /** One update for everything confirmed so far; on failure the ids wait for the next flush (the rows stay pending meanwhile). */
  #flushMarks(): Promise<void> {
    clearTimeout(this.#markTimer);
    this.#markTimer = undefined;
    this.#marking = this.#marking.then(async () => {
      const ids = this.#toMark.splice(0);
      if (ids.length === 0) return;
      try {
        await this.#db.em.fork().execute(`update runtime.outbox set status = 'sent', sent_at = now() where message_id in (?) and status = 'pending'`, [ids]);
        for (const id of ids) this.#inFlight.delete(id);
      } catch (err) {
        this.#toMark.unshift(...ids);
        this.#markTimer ??= setTimeout(() => this.#flushMarks(), Math.max(this.#options.markDelayMs, 1000));
        this.#log.warn({ rows: ids.length, err: (err as Error).message }, 'marking published outbox rows failed; retrying (the relay pass may publish them again meanwhile)');
      }
    });
    return this.#marking;
  }

  /**
   * Events of the services (any process's, not only this one's) committed over `olderThanMs`
   * ago and still pending, counted up to `atMost`: the api's admission control reads it
   * several times a second, and past its limit the exact figure changes nothing. A row the
   * writer published and is about to mark sent stays pending for milliseconds; one pending
   * for a second waits for the broker, or for its service to come back.
   */
  async unpublished(services: readonly string[], olderThanMs: number, atMost: number): Promise<number> {
    const [row] = await this.#db.em.fork().execute<{ n: number }[]>(COUNT_UNPUBLISHED_OUTBOX_ROWS, [services, olderThanMs / 1000, atMost]);
    return Math.min(row?.n ?? 0, atMost);
  }

  /**
   * One pass: claims, publishes and marks up to batchSize rows per service pending for longer
   * than the grace period (or any pending row when `all`); returns how many were claimed.
   */
  async relayBatch(all = false): Promise<number> {
    const services = [...this.#publishers].filter(([, p]) => p.ready).map(([service]) => service);
    if (services.length === 0) return 0;
    return this.#db.em.fork().transactional(async (em) => {
      const claimed = await em.execute<OutboxRow[]>(CLAIM_LATE_OUTBOX_ROWS, [services, all ? 0 : this.#options.graceMs / 1000, this.#options.batchSize]);
      // A row this process is still publishing or marking is not late, only slow (a starved machine): publishing it again would only make a duplicate.
      const ours = claimed.filter((r) => !this.#inFlight.has(r.message_id));
      if (ours.length === 0) return 0;
      const rows = await this.#withoutBlockedOrders(em, ours);
      if (rows.length === 0) return 0;
      const errors = await this.#publishInOrder(rows.map((r) => ({
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
   * Publishes through each message's own service, in order: a run of one service's
   * messages is confirmed before the next run goes out on another service's channel.
   */
  async #publishInOrder(messages: readonly Outgoing[]): Promise<(Error | undefined)[]> {
    const errors: (Error | undefined)[] = [];
    for (let start = 0; start < messages.length;) {
      const service = String(messages[start]!.options.appId);
      let end = start + 1;
      while (end < messages.length && String(messages[end]!.options.appId) === service) end++;
      const run = messages.slice(start, end);
      errors.push(...await this.#publishers.get(service)!.publishEach(run));
      start = end;
    }
    return errors;
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

  /** Finishes the direct publishes and their marks, then publishes every pending row, until the deadline. */
  async flush(deadline: number): Promise<void> {
    await Promise.allSettled([...this.#publishing]);
    await this.#flushMarks();
    while (Date.now() < deadline && [...this.#publishers.values()].some((p) => p.ready)) {
      if ((await this.relayBatch(true)) === 0) return;
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
    clearTimeout(this.#markTimer);
    this.#markTimer = undefined;
  }
}

