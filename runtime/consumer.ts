// The one consumer pipeline every service runs, as named steps:
//   read envelope → route by type → validate → one transaction { inbox insert;
//   handler; its events to the outbox } → commit → ack, and the events are
//   published straight away (the outbox relay's pass is the fallback).
// Deliveries that arrive together share the transaction (group commit), so under
// load a commit carries many of them; one that fails is retried on its own.
// A duplicate (same consumer, same messageId) acks without running the handler.
// A handler with a step outside the transaction (a gateway call) runs that step
// first, holding no connection (runtime/outside-step.ts).
// Failures (classified once, in runtime/errors.ts): the database or the broker
// being unreachable is not the message's fault: the message goes back to the queue
// with its attempts unspent and the consumer pauses until both answer again. A
// PermanentError, bad data, an oversized, unreadable or invalid message goes to the
// service's dead-letter queue at once; an outside dependency that is down (the
// payment gateway) makes the message wait in the TTL wait queues without spending an
// attempt; anything else is retried through them with growing delays, then dead-lettered. Every path publishes with
// confirms before it acks, so a crash at any point means a redelivery, never a loss.
import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import { messages, services } from '../generated/registry.ts';
import type { MessageName, OutgoingEvent } from '../generated/types.ts';
import type { Broker } from './broker.ts';
import { databaseReachable, type Database, type EntityManager } from './db.ts';
import { ATTEMPT_HEADER, EnvelopeError, readEnvelope, type IncomingEnvelope } from './envelope.ts';
import { classifyFailure, describeError, isInfrastructure, PermanentError } from './errors.ts';
import type { HandlerContext } from './handler-context.ts';
import type { Logger } from './logger.ts';
import { GroupCommit } from './group-commit.ts';
import { writeAllToOutbox, type Caused } from './outbox.ts';
import { outsideStepOf, withPrepared, type OutsideStep } from './outside-step.ts';
import type { Outgoing, Publisher } from './publisher.ts';
import type { QueuePlan } from './topology.ts';

type Handler = (message: unknown, ctx: HandlerContext) => Promise<readonly OutgoingEvent[]>;

export interface ConsumerOptions {
  readonly service: string;
  readonly handlers: object;
  readonly plan: QueuePlan;
  readonly prefetch: number;
  readonly maxAttempts: number;
  /** Larger messages are dead-lettered before they are parsed. */
  readonly maxMessageBytes?: number;
  /** Backoff of the outage probe while paused (first and longest wait). */
  readonly outageBackoffMs?: { readonly first: number; readonly max: number };
  /**
   * Group commit: up to `size` deliveries share one transaction, at most `lanes`
   * transactions at a time (runtime/group-commit.ts). Size 1 is one transaction each.
   */
  readonly commit: { readonly size: number; readonly lanes: number };
  /** Given the events of every commit, to publish them straight away (the outbox relay's publishCommitted). */
  readonly afterCommit?: (messages: readonly Outgoing[]) => void;
  /** Extra events written with every handled message (e.g. a LogEmitted), in the same transaction. */
  readonly onHandled?: (type: MessageName, envelope: IncomingEnvelope, message: unknown) => OutgoingEvent[];
  /** Told of every failure, after the message was retried or dead-lettered. */
  readonly onFailed?: (envelope: IncomingEnvelope | undefined, error: unknown, outcome: 'retry' | 'dead-letter') => Promise<void>;
  /** Test seam for fault injection: runs after the outcome is durable and before the ack. */
  readonly hooks?: { readonly beforeAck?: (envelope: IncomingEnvelope | undefined, outcome: Outcome) => void | Promise<void> };
}

export type Outcome = 'handled' | 'duplicate' | 'retry' | 'dead-letter' | 'requeued';

interface Delivery {
  readonly envelope: IncomingEnvelope;
  readonly type: MessageName;
  readonly message: unknown;
  /** What the handler's step outside the transaction returned, if it has one. */
  readonly prepared?: Prepared | undefined;
}

interface Prepared {
  readonly value: unknown;
}

/** Fails fast when the contract and the handlers disagree. */
export function bindHandlers(service: string, handlers: object): Map<string, Handler> {
  const declared = services[service];
  if (!declared) throw new Error(`service ${service} is not declared in asyncapi.yaml`);
  const bound = new Map<string, Handler>();
  for (const r of declared.receives) {
    const fn = (handlers as Record<string, unknown>)[r.handler];
    if (typeof fn !== 'function') throw new Error(`service ${service}: handlers/${service}/${r.handler}.ts is missing (${r.operationId})`);
    const outside = outsideStepOf(fn);
    bound.set(r.message, Object.assign(fn.bind(handlers) as Handler, outside ? { outside } : {}));
  }
  const extra = Object.keys(handlers).filter((k) => !declared.receives.some((r) => r.handler === k));
  if (extra.length) throw new Error(`service ${service}: ${extra.join(', ')} handle nothing the contract says ${service} receives`);
  return bound;
}

/** How many times the message waited out an outside dependency's outage (no attempt spent). */
const OUTAGE_WAITS_HEADER = 'x-outage-waits';

/** Where the message was first published: kept in headers once it travels through wait queues. */
function originOf(msg: ConsumeMessage): { 'x-original-exchange': string; 'x-original-routing-key': string } {
  const h = msg.properties.headers ?? {};
  return h['x-original-exchange'] !== undefined
    ? { 'x-original-exchange': String(h['x-original-exchange']), 'x-original-routing-key': String(h['x-original-routing-key']) }
    : { 'x-original-exchange': msg.fields.exchange, 'x-original-routing-key': msg.fields.routingKey };
}

export class Consumer {
  readonly #db: Database;
  readonly #publisher: Publisher;
  readonly #log: Logger;
  readonly #options: ConsumerOptions;
  readonly #handlers: Map<string, Handler>;
  readonly #inFlight = new Set<Promise<unknown>>();
  #channel: Channel | undefined;
  #consumerTag: string | undefined;
  #stopped = false;
  /** Set while the database or the broker is unreachable: no new deliveries until both answer. */
  #outage: Promise<void> | undefined;
  readonly #groupCommit: GroupCommit<Delivery, Outcome>;

  constructor(db: Database, publisher: Publisher, log: Logger, options: ConsumerOptions) {
    this.#db = db;
    this.#publisher = publisher;
    this.#log = log;
    this.#options = options;
    this.#handlers = bindHandlers(options.service, options.handlers);
    this.#groupCommit = new GroupCommit<Delivery, Outcome>({
      ...options.commit,
      commit: (deliveries) => this.#commit(deliveries),
      onBatchFailed: (size, err) => log.warn({ size, err: describeError(err).message }, 'a group of deliveries failed together; committing them one by one'),
    });
  }

  async attach(broker: Broker): Promise<void> {
    await broker.onConnect((model) => this.#open(model));
  }

  async #open(model: ChannelModel): Promise<void> {
    if (this.#stopped) return;
    const channel = await model.createChannel();
    channel.on('error', (err: Error) => this.#log.warn({ err: err.message }, 'consumer channel error'));
    await channel.prefetch(this.#options.prefetch);
    this.#channel = channel;
    this.#consumerTag = undefined;
    // During an outage the probe resumes consumption once everything answers again.
    if (!this.#outage) await this.#consume(channel);
  }

  async #consume(channel: Channel): Promise<void> {
    const { consumerTag } = await channel.consume(this.#options.plan.queue, (msg) => {
      if (!msg) return; // the queue was deleted or the consumer cancelled by the broker
      const work = this.#process(channel, msg).catch((err) => {
        // Neither handled nor parked (e.g. the broker refused the retry copy): give it back to the
        // queue; the quorum queue's delivery limit keeps this from looping forever.
        this.#log.error({ err, messageId: msg.properties.messageId }, 'consumer pipeline failed; message requeued');
        if (isInfrastructure(err)) this.#pauseForOutage(err);
        this.#nack(channel, msg);
      });
      this.#inFlight.add(work);
      void work.finally(() => this.#inFlight.delete(work));
    });
    this.#consumerTag = consumerTag;
    this.#log.info({ queue: this.#options.plan.queue, prefetch: this.#options.prefetch }, 'consuming');
  }

  /**
   * Stops taking deliveries until the database and the broker answer again, probing
   * with growing waits; what is in flight finishes or goes back to the queue.
   */
  #pauseForOutage(error: unknown): void {
    if (this.#outage || this.#stopped) return;
    const channel = this.#channel;
    const tag = this.#consumerTag;
    this.#consumerTag = undefined;
    this.#log.warn({ err: describeError(error).message }, 'database or broker unreachable; pausing consumption until they answer');
    if (channel && tag) channel.cancel(tag).catch(() => undefined); // a dead channel has no consumer left to cancel
    const { first, max } = this.#options.outageBackoffMs ?? { first: 250, max: 5000 };
    const since = Date.now();
    this.#outage = (async () => {
      for (let wait = first; !this.#stopped; wait = Math.min(wait * 2, max)) {
        await new Promise((r) => setTimeout(r, wait));
        if (this.#publisher.ready && await databaseReachable(this.#db)) break;
      }
    })().then(async () => {
      this.#outage = undefined;
      if (this.#stopped) return;
      this.#log.info({ pausedMs: Date.now() - since }, 'database and broker answer again; resuming consumption');
      const current = this.#channel;
      // A channel that died meanwhile is replaced by the broker's reconnect, which consumes anew.
      if (current && !this.#consumerTag) await this.#consume(current).catch((err) => this.#pauseForOutage(err));
    });
  }

  /** True while consumption is paused for an outage. */
  get paused(): boolean {
    return this.#outage !== undefined;
  }

  async #process(channel: Channel, msg: ConsumeMessage): Promise<Outcome> {
    let envelope: IncomingEnvelope | undefined;
    let outcome: Outcome;
    try {
      envelope = readEnvelope(msg);
      const type = this.#route(envelope);
      this.#checkSize(envelope, type, msg.content);
      const delivery = { envelope, type, message: this.#validate(envelope, type, msg.content) };
      outcome = await this.#handle(delivery);
    } catch (error) {
      if (isInfrastructure(error)) {
        this.#pauseForOutage(error);
        outcome = 'requeued';
      } else {
        outcome = await this.#fail(msg, envelope, error);
      }
    }
    await this.#options.hooks?.beforeAck?.(envelope, outcome);
    if (outcome === 'requeued') this.#nack(channel, msg);
    else this.#ack(channel, msg, envelope, outcome);
    return outcome;
  }

  /** The step outside the transaction (if the handler has one), then the transaction. */
  async #handle(delivery: Delivery): Promise<Outcome> {
    const outside = outsideStepOf(this.#handlers.get(delivery.type));
    const prepared = outside ? await this.#runOutside(outside, delivery) : undefined;
    return this.#groupCommit.submit({ ...delivery, prepared });
  }

  /**
   * Runs the outside step. It runs for a redelivery of a handled message too: the step
   * is idempotent by contract (a crash between the steps repeats it anyway), and the
   * inbox then skips the transaction.
   */
  async #runOutside(outside: OutsideStep<unknown, unknown>, { envelope, type, message }: Delivery): Promise<Prepared> {
    const { service } = this.#options;
    const log = this.#log.child({ messageId: envelope.messageId, correlationId: envelope.correlationId, type, step: 'outside-transaction' });
    const value = await outside(message, {
      service, messageId: envelope.messageId, correlationId: envelope.correlationId ?? '', attempt: envelope.attempt, db: this.#db, log,
    });
    return { value };
  }

  #checkSize(envelope: IncomingEnvelope, type: string, content: Buffer): void {
    const limit = this.#options.maxMessageBytes;
    if (limit !== undefined && content.length > limit) {
      throw new PermanentError(`${type} ${envelope.messageId} is ${content.length} bytes; messages are limited to ${limit} bytes (MAX_MESSAGE_BYTES)`);
    }
  }

  #route(envelope: IncomingEnvelope): MessageName {
    if (!this.#handlers.has(envelope.type)) {
      throw new PermanentError(`${this.#options.service} does not receive messages of type ${envelope.type}`);
    }
    return envelope.type as MessageName;
  }

  #validate(envelope: IncomingEnvelope, type: MessageName, content: Buffer): unknown {
    let message: unknown;
    try {
      message = JSON.parse(content.toString('utf8'));
    } catch (err) {
      throw new PermanentError(`${type} ${envelope.messageId} is not JSON: ${(err as Error).message}`);
    }
    const { validate } = messages[type];
    if (!validate(message)) {
      const errors = (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`).join('; ');
      throw new PermanentError(`${type} ${envelope.messageId} fails its schema: ${errors}`);
    }
    return message;
  }

  /** Inbox, handlers and outbox for a group of deliveries, in one transaction; then their events go out. */
  async #commit(deliveries: readonly Delivery[]): Promise<Outcome[]> {
    const { service } = this.#options;
    const { outcomes, emitted, outgoing } = await this.#db.em.fork().transactional(async (em: EntityManager) => {
      const fresh = await this.#enterInbox(em, deliveries);
      const outcomes: Outcome[] = [];
      const written: Caused[] = [];
      const emitted: string[][] = [];
      for (const { envelope, type, message, prepared } of deliveries) {
        const id = envelope.messageId.toLowerCase();
        if (!fresh.delete(id)) {
          this.#log.info({ messageId: envelope.messageId, correlationId: envelope.correlationId, type }, 'duplicate delivery; already handled');
          outcomes.push('duplicate');
          emitted.push([]);
          continue;
        }
        const base: HandlerContext = {
          service, messageId: envelope.messageId, correlationId: envelope.correlationId ?? '', attempt: envelope.attempt, em,
          log: this.#log.child({ messageId: envelope.messageId, correlationId: envelope.correlationId, type }),
        };
        const ctx = prepared ? withPrepared(base, prepared.value) : base;
        const events = [...await this.#handlers.get(type)!(message, ctx), ...(this.#options.onHandled?.(type, envelope, message) ?? [])];
        written.push({ events, cause: { service, messageId: envelope.messageId, correlationId: envelope.correlationId, traceparent: envelope.traceparent } });
        outcomes.push('handled');
        emitted.push(events.map((e) => e.type));
      }
      return { outcomes, emitted, outgoing: await writeAllToOutbox(em, written) };
    });
    this.#options.afterCommit?.(outgoing);
    for (const [i, outcome] of outcomes.entries()) {
      if (outcome !== 'handled') continue;
      const { envelope, type } = deliveries[i]!;
      this.#log.info({ messageId: envelope.messageId, correlationId: envelope.correlationId, type, emitted: emitted[i] }, 'handled');
    }
    return outcomes;
  }

  /** Records the deliveries in the inbox (one statement); returns the ids that were new. */
  async #enterInbox(em: EntityManager, deliveries: readonly Delivery[]): Promise<Set<string>> {
    const values = deliveries.flatMap((d) => [this.#options.service, d.envelope.messageId, d.type]);
    const fresh = await em.execute<{ message_id: string }[]>(
      `insert into runtime.inbox (consumer, message_id, message_type) values ${deliveries.map(() => '(?, ?, ?)').join(', ')}
       on conflict do nothing returning message_id`,
      values,
    );
    return new Set(fresh.map((r) => String(r.message_id).toLowerCase()));
  }

  async #fail(msg: ConsumeMessage, envelope: IncomingEnvelope | undefined, error: unknown): Promise<Outcome> {
    const attempt = envelope?.attempt ?? 1;
    const kind = error instanceof EnvelopeError ? 'permanent' : classifyFailure(error);
    const { message } = describeError(error);
    const log = this.#log.child({ messageId: envelope?.messageId, correlationId: envelope?.correlationId, type: envelope?.type, attempt });
    let outcome: Outcome;
    if (kind === 'unavailable') {
      // An outside dependency is down: not the message's fault. It waits, with its attempts unspent.
      const waited = Number(msg.properties.headers?.[OUTAGE_WAITS_HEADER] ?? 0) || 0;
      const delayMs = await this.#sendToWaitQueue(msg, waited, { [ATTEMPT_HEADER]: attempt, [OUTAGE_WAITS_HEADER]: waited + 1 }, message);
      log.warn({ err: message, delayMs, waited: waited + 1 }, 'a dependency is unavailable; waiting without spending an attempt');
      outcome = 'retry';
    } else if (kind !== 'permanent' && attempt < this.#options.maxAttempts) {
      const delayMs = await this.#sendToWaitQueue(msg, attempt - 1, { [ATTEMPT_HEADER]: attempt + 1 }, message);
      log.warn({ err: message, delayMs }, 'handler failed; retrying later');
      outcome = 'retry';
    } else {
      await this.#deadLetter(msg, attempt, error);
      log.error({ err: message }, kind === 'permanent' ? 'message dead-lettered: it cannot succeed' : 'message dead-lettered after the last attempt');
      outcome = 'dead-letter';
    }
    await this.#options.onFailed?.(envelope, error, outcome === 'retry' ? 'retry' : 'dead-letter').catch((err) =>
      log.warn({ err: (err as Error).message }, 'could not record the failure'));
    return outcome;
  }

  /** Parks a copy in the wait queue of the given step (the longest past the last); returns its delay. */
  async #sendToWaitQueue(msg: ConsumeMessage, step: number, headers: Record<string, unknown>, error: string): Promise<number> {
    const waits = this.#options.plan.waitQueues;
    const wait = waits[Math.min(step, waits.length - 1)];
    await this.#publisher.publish({
      exchange: '',
      routingKey: wait.name,
      content: msg.content,
      options: {
        ...this.#copyProperties(msg),
        headers: { ...msg.properties.headers, ...originOf(msg), ...headers, 'x-last-error': error.slice(0, 1000) },
      },
    });
    return wait.delayMs;
  }

  async #deadLetter(msg: ConsumeMessage, attempt: number, error: unknown): Promise<void> {
    const { message, stack } = describeError(error);
    const messageId = msg.properties.messageId ? String(msg.properties.messageId) : `unidentified-${msg.fields.deliveryTag}-${Date.now()}`;
    await this.#publisher.publish({
      exchange: '',
      routingKey: this.#options.plan.deadLetterQueue,
      content: msg.content,
      options: {
        ...this.#copyProperties(msg),
        messageId,
        headers: {
          ...msg.properties.headers,
          'x-error': message.slice(0, 4000),
          'x-error-stack': stack.slice(0, 4000),
          'x-attempts': attempt,
          ...originOf(msg),
          'x-dead-lettered-at': new Date().toISOString(),
          'x-dead-lettered-by': this.#options.service,
        },
      },
    });
  }

  #copyProperties(msg: ConsumeMessage) {
    const p = msg.properties;
    return {
      messageId: String(p.messageId ?? ''),
      ...(p.type ? { type: String(p.type) } : {}),
      ...(p.correlationId ? { correlationId: String(p.correlationId) } : {}),
      ...(p.appId ? { appId: String(p.appId) } : {}),
      ...(p.timestamp ? { timestamp: p.timestamp } : {}),
      contentType: p.contentType ?? 'application/json',
      ...(p.contentEncoding ? { contentEncoding: p.contentEncoding } : {}),
    };
  }

  #ack(channel: Channel, msg: ConsumeMessage, envelope: IncomingEnvelope | undefined, outcome: Outcome): void {
    try {
      channel.ack(msg);
    } catch (err) {
      // The channel died after the work committed: the broker redelivers, the inbox absorbs it.
      this.#log.warn({ messageId: envelope?.messageId, outcome, err: (err as Error).message }, 'ack failed; the message will be redelivered');
    }
  }

  /** Gives the delivery back to the queue as it is (same attempt header). */
  #nack(channel: Channel, msg: ConsumeMessage): void {
    try {
      channel.nack(msg, false, true);
    } catch {
      // the channel is gone: the broker requeues it by itself
    }
  }

  /** Stops taking deliveries; resolves once in-flight ones finished or the deadline passed. */
  async stop(deadline: number): Promise<boolean> {
    this.#stopped = true;
    const channel = this.#channel;
    if (channel && this.#consumerTag) await channel.cancel(this.#consumerTag).catch(() => undefined);
    while (this.#inFlight.size > 0 && Date.now() < deadline) {
      await Promise.race([Promise.allSettled([...this.#inFlight]), new Promise((r) => setTimeout(r, Math.max(0, deadline - Date.now())))]);
    }
    const drained = this.#inFlight.size === 0;
    // Closing the channel requeues whatever was delivered but not acked.
    await channel?.close().catch(() => undefined);
    return drained;
  }
}
