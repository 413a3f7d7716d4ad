// The consumer's transaction, for a group of deliveries at once (group commit,
// runtime/group-commit.ts): run the handler of each, write the events they return to
// the outbox and record the deliveries in the inbox, commit; then hand the events over
// to be published straight away. A delivery the inbox already knows (same consumer,
// same messageId) is a duplicate: its effects must not happen twice.
// The inbox entries go last, in the statement that writes the outbox and commits: a
// transaction is then one round trip plus one per handler statement (two for most),
// where entering the inbox first cost one more. A duplicate makes that statement fail
// (the entry exists), or makes its handler fail earlier (its effect exists), and
// everything rolls back; the group is then committed again the careful way, the inbox
// first, which tells the duplicates from the new ones and runs only the new ones'
// handlers. Duplicates are rare (a redelivery after a crash or a lost connection), so
// the common case pays the least. What a transaction cannot undo happens for a
// duplicate's discarded run too: a handler's log lines, and sequence numbers it took.
// A group that fails is committed again one delivery at a time, so a failure is
// always the delivery's own. A handler with a group step (runtime/group-step.ts) gets
// all its new deliveries of the group in one call, before the others run.
// Each delivery keeps its own span (the consumer's) while its handler runs, and its
// events continue that span; the shared transaction gets no span of its own (it
// would belong to one trace only, while its deliveries may belong to several). A group
// step runs in its first delivery's span; each context carries its own delivery's.
import type { MessageName, OutgoingEvent } from '../generated/types.ts';
import type { Handler } from './bind-handlers.ts';
import { inTransaction, type Database, type EntityManager } from './db.ts';
import type { IncomingEnvelope } from './envelope.ts';
import { describeError, isInfrastructure } from './errors.ts';
import { GroupCommit, type GroupShape } from './group-commit.ts';
import type { HandlerContext } from './handler-context.ts';
import { loggerOfSpan, type Logger } from './logger.ts';
import { writeAllToOutboxReturning, type Caused, type Statement } from './outbox.ts';
import { groupStepOf } from './group-step.ts';
import { withPrepared } from './outside-step.ts';
import type { Outgoing } from './publisher.ts';
import { inSpan, type Span } from './tracing.ts';
import { uuidKey } from './uuid-key.ts';

/** A delivery that passed validation, ready for its transaction. */
export interface Delivery {
  readonly envelope: IncomingEnvelope;
  readonly type: MessageName;
  readonly message: unknown;
  /** What the handler's step outside the transaction returned, if it has one. */
  readonly prepared?: { readonly value: unknown } | undefined;
  /** The delivery's span (the consumer's): the handler runs in it, its events continue it. */
  readonly span?: Span | undefined;
  /** The service that sent it, as the broker verified (runtime/broker-access.ts). */
  readonly sender: string;
}

export type Committed = 'handled' | 'duplicate';

/** A statement sent in the statement that commits a transaction, told how that commit ended. */
export interface AlongCommit {
  readonly statement: Statement;
  /** The transaction committed: the statement's rows. */
  committed(rows: readonly unknown[]): void;
  /**
   * The transaction failed: rolled back, or, `inDoubt`, its commit was sent and the answer
   * never came (a connection cut or silenced, a deadline): it may have committed.
   */
  failed(error: unknown, inDoubt: boolean): void;
}

export interface CommitOptions {
  readonly service: string;
  readonly handlers: ReadonlyMap<string, Handler>;
  /** Up to `size` deliveries share one transaction, at most `lanes` transactions at a time. */
  readonly commit: GroupShape;
  /**
   * A statement for each transaction to send in the statement that commits, so it costs no
   * round trip of its own (a mailer's claim of due e-mails), and what to do with its outcome;
   * given how many deliveries the transaction handled (duplicates aside), which the
   * statement may size itself on (the e-mails they queued).
   */
  readonly alongCommit?: ((handled: number) => AlongCommit | undefined) | undefined;
  /** Given the events of every commit, to publish them straight away. */
  readonly afterCommit?: ((messages: readonly Outgoing[]) => void) | undefined;
  /** Extra events about the messages the transaction handled (e.g. one LogEmitted with a record each), written with them. */
  readonly onHandled?: ((handled: readonly { readonly type: MessageName; readonly envelope: IncomingEnvelope }[]) => OutgoingEvent[]) | undefined;
}

/** Returns the step that commits one delivery (with whatever else is queued); it resolves once committed. */
export function deliveryCommitter(db: Database, log: Logger, options: CommitOptions): (delivery: Delivery) => Promise<Committed> {
  const groups = new GroupCommit<Delivery, Committed>({
    ...options.commit,
    commit: (deliveries) => commitGroup(db, log, options, deliveries),
    onBatchFailed: (size, err) => log.warn({ size, err: describeError(err).message }, 'a group of deliveries failed together; committing them one by one'),
  });
  return (delivery) => groups.submit(delivery);
}

/**
 * Handlers, outbox and inbox for a group of deliveries, in one transaction; then their
 * events go out. The inbox goes last; should the group hold a delivery the inbox knows,
 * the group is committed again with the inbox first.
 */
async function commitGroup(db: Database, log: Logger, options: CommitOptions, deliveries: readonly Delivery[]): Promise<Committed[]> {
  try {
    return await commitTogether(db, log, options, deliveries, 'inbox last');
  } catch (error) {
    // A failure of the group's own, not caused by a duplicate: the caller decides (one by one, retries).
    if (isInfrastructure(error) || !(await anyInInbox(db, options.service, deliveries))) throw error;
    log.debug({ deliveries: deliveries.length, err: describeError(error).message }, 'a delivery of the group is in the inbox already; committing the group again with the inbox first');
    return commitTogether(db, log, options, deliveries, 'inbox first');
  }
}

async function commitTogether(db: Database, log: Logger, options: CommitOptions, deliveries: readonly Delivery[], inbox: 'inbox last' | 'inbox first'): Promise<Committed[]> {
  const { service } = options;
  let alongCommit: AlongCommit | undefined;
  const { outcomes, emitted, outgoing, alongRows } = await inTransaction(db, async (em) => {
    const fresh = inbox === 'inbox first' ? await enterInbox(em, service, deliveries) : undefined;
    const isNew = deliveries.map((d) => fresh?.delete(uuidKey(d.envelope.messageId)) ?? true);
    const contextOf = ({ envelope, prepared, type, sender, span }: Delivery): HandlerContext => {
      const base: HandlerContext = {
        service, sender, messageId: envelope.messageId, type, correlationId: envelope.correlationId ?? '', attempt: envelope.attempt, em,
        log: loggerOfSpan(log, { messageId: envelope.messageId, correlationId: envelope.correlationId, type }, span), span,
      };
      return prepared ? withPrepared(base, prepared.value) : base;
    };
    // the group runs in the context of the delivery that started it: each one's work goes in its own span
    const handled = new Map<number, readonly OutgoingEvent[]>();
    // A handler that takes whole groups gets all its new deliveries at once, in their order (in the first one's span);
    // one group step may serve several types (order-timeline records all of its events in one statement).
    const stepOf = (i: number) => groupStepOf(options.handlers.get(deliveries[i]!.type));
    const newByStep = Map.groupBy([...deliveries.keys()].filter((i) => isNew[i] && stepOf(i)), (i) => stepOf(i)!);
    for (const [group, indexes] of newByStep) {
      const items = indexes.map((i) => ({ message: deliveries[i]!.message, ctx: contextOf(deliveries[i]!) }));
      const results = await inSpan(deliveries[indexes[0]!]!.span, () => group(items)) as readonly (readonly OutgoingEvent[])[];
      indexes.forEach((i, k) => handled.set(i, results[k]!));
    }
    const outcomes: Committed[] = [];
    const written: Caused[] = [];
    const emitted: string[][] = [];
    for (const [i, delivery] of deliveries.entries()) {
      const { envelope, type, message, span } = delivery;
      if (!isNew[i]) {
        inSpan(span, () => log.info({ messageId: envelope.messageId, correlationId: envelope.correlationId, type }, 'duplicate delivery; already handled'));
        outcomes.push('duplicate');
        emitted.push([]);
        continue;
      }
      const events = await inSpan(span, async () => handled.get(i) ?? await options.handlers.get(type)!(message, contextOf(delivery)));
      written.push({ events, cause: { service, messageId: envelope.messageId, correlationId: envelope.correlationId, traceparent: envelope.traceparent, span } });
      outcomes.push('handled');
      emitted.push(events.map((e) => e.type));
    }
    // about the group as a whole: caused by no one message, in the trace of the first it handled
    const handledNow = deliveries.filter((_, i) => outcomes[i] === 'handled');
    const about = options.onHandled?.(handledNow) ?? [];
    if (about.length) written.push({ events: about, cause: { service, traceparent: handledNow[0]!.envelope.traceparent, span: handledNow[0]!.span } });
    const along = inbox === 'inbox last' ? inboxEntries(service, deliveries, 'all new') : undefined;
    alongCommit = options.alongCommit?.(handledNow.length);
    const { outgoing, rows } = await writeAllToOutboxReturning(em, written, { last: true, along, returning: alongCommit?.statement });
    return { outcomes, emitted, outgoing, alongRows: rows };
  }).catch((error: unknown) => {
    // An error the server sent means it rolled back; only a lost answer leaves the commit in doubt.
    alongCommit?.failed(error, isInfrastructure(error));
    throw error;
  });
  alongCommit?.committed(alongRows);
  options.afterCommit?.(outgoing);
  for (const [i, outcome] of outcomes.entries()) {
    if (outcome !== 'handled') continue;
    const { envelope, type, span } = deliveries[i]!;
    const handled = () => log.info({ messageId: envelope.messageId, correlationId: envelope.correlationId, type, emitted: emitted[i] }, 'handled');
    if (span) inSpan(span, handled);
    else handled();
  }
  return outcomes;
}

/** Records the deliveries in the inbox (one statement); returns the ids that were new, by uuidKey. */
async function enterInbox(em: EntityManager, service: string, deliveries: readonly Delivery[]): Promise<Set<string>> {
  const { sql, values } = inboxEntries(service, deliveries, 'known ones skipped');
  const fresh = await em.execute<{ message_id: string }[]>(sql, values);
  return new Set(fresh.map((r) => uuidKey(String(r.message_id))));
}

/**
 * The insert of the deliveries' inbox entries. 'all new' fails on an entry that exists;
 * 'known ones skipped' returns the ids it entered. In messageId order: two groups holding
 * the same deliveries wait for each other instead of deadlocking.
 */
function inboxEntries(service: string, deliveries: readonly Delivery[], known: 'all new' | 'known ones skipped'): Statement {
  const sorted = deliveries.map((d) => ({ key: uuidKey(d.envelope.messageId), d })).sort((a, b) => (a.key < b.key ? -1 : 1)).map(({ d }) => d);
  return {
    sql: `insert into runtime.inbox (consumer, message_id, message_type) values ${sorted.map(() => '(?, ?, ?)').join(', ')}${known === 'all new' ? '' : ' on conflict do nothing returning message_id'}`,
    values: sorted.flatMap((d) => [service, d.envelope.messageId, d.type]),
  };
}

/** True when the inbox knows any of the deliveries (handled before, or by a transaction that committed meanwhile). */
async function anyInInbox(db: Database, service: string, deliveries: readonly Delivery[]): Promise<boolean> {
  const known = await db.em.fork().execute<{ known: boolean }[]>(
    'select exists (select 1 from runtime.inbox where consumer = ? and message_id in (?)) as known',
    [service, deliveries.map((d) => d.envelope.messageId)],
  );
  return known[0]?.known === true;
}
