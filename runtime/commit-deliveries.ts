// The consumer's transaction, for a group of deliveries at once (group commit,
// runtime/group-commit.ts): record them in the inbox (one statement), run the handler
// of each one that was new, write the events they return to the outbox, commit; then
// hand the events over to be published straight away. A delivery the inbox already
// knows (same consumer, same messageId) is a duplicate: its handler does not run.
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
import { describeError } from './errors.ts';
import { GroupCommit, type GroupShape } from './group-commit.ts';
import type { HandlerContext } from './handler-context.ts';
import { loggerOfSpan, type Logger } from './logger.ts';
import { writeAllToOutbox, type Caused } from './outbox.ts';
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

export interface CommitOptions {
  readonly service: string;
  readonly handlers: ReadonlyMap<string, Handler>;
  /** Up to `size` deliveries share one transaction, at most `lanes` transactions at a time. */
  readonly commit: GroupShape;
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

/** Inbox, handlers and outbox for a group of deliveries, in one transaction; then their events go out. */
async function commitGroup(db: Database, log: Logger, options: CommitOptions, deliveries: readonly Delivery[]): Promise<Committed[]> {
  const { service } = options;
  const { outcomes, emitted, outgoing } = await inTransaction(db, async (em) => {
    const fresh = await enterInbox(em, service, deliveries);
    const isNew = deliveries.map((d) => fresh.delete(uuidKey(d.envelope.messageId)));
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
    return { outcomes, emitted, outgoing: await writeAllToOutbox(em, written, { last: true }) };
  });
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
  const values = deliveries.flatMap((d) => [service, d.envelope.messageId, d.type]);
  const fresh = await em.execute<{ message_id: string }[]>(
    `insert into runtime.inbox (consumer, message_id, message_type) values ${deliveries.map(() => '(?, ?, ?)').join(', ')}
     on conflict do nothing returning message_id`,
    values,
  );
  return new Set(fresh.map((r) => uuidKey(String(r.message_id))));
}
