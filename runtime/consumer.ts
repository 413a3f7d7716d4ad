// The one consumer pipeline every service runs, step by step:
//   read the envelope (runtime/envelope.ts) → route by type → check the sender
//   (runtime/broker-access.ts: the contract's producer, as the broker's user-id says) → validate
//   (runtime/validate-message.ts) → the handler's step outside the transaction, if it
//   has one (runtime/outside-step.ts) → one transaction { inbox; handler; outbox },
//   shared by deliveries that arrive together (runtime/commit-deliveries.ts) → ack;
//   the events then go out straight away (the outbox relay's pass is the fallback).
// A failure at any step is decided by runtime/failure-policy.ts: a copy is parked in a
// wait queue (a retry later) or the dead-letter queue, then the delivery is acked; or,
// while the database or the broker is unreachable, the delivery goes back unchanged
// and consumption pauses until both answer. Every path publishes with confirms before
// it acks, so a crash at any point means a redelivery, never a loss.
// Each delivery is a CONSUMER span, child of its message's traceparent; the pipeline
// runs inside it, so its log lines carry the trace and its events continue it.
import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import type { MessageName, OutgoingEvent } from '../generated/types.ts';
import type { Broker } from './broker.ts';
import { bindHandlers, type Handler } from './bind-handlers.ts';
import { checkSender, senderOf } from './broker-access.ts';
import { deliveryCommitter, type CommitOptions, type Committed, type Delivery } from './commit-deliveries.ts';
import { databaseReachable, type Database } from './db.ts';
import { readEnvelope, republishOptions, type IncomingEnvelope } from './envelope.ts';
import { describeError, isInfrastructure, PermanentError } from './errors.ts';
import { decideFailure, type FailurePlan } from './failure-policy.ts';
import type { GroupShape } from './group-commit.ts';
import { Header } from './headers.ts';
import type { Logger } from './logger.ts';
import { outsideStepOf } from './outside-step.ts';
import type { Publisher } from './publisher.ts';
import { untilReachable, type ProbeBackoff } from './through-outage.ts';
import type { QueuePlan } from './topology.ts';
import { contextOfTraceparent, endSpan, inSpan, SpanKind, startSpan, type Span } from './tracing.ts';
import { validMessage } from './validate-message.ts';
import { within } from './within.ts';

export interface ConsumerOptions {
  readonly service: string;
  readonly handlers: object;
  readonly plan: QueuePlan;
  readonly prefetch: number;
  readonly maxAttempts: number;
  /** Larger messages are dead-lettered before they are parsed. */
  readonly maxMessageBytes?: number;
  /** Backoff of the outage probe while paused (first and longest wait). */
  readonly outageBackoffMs?: ProbeBackoff;
  /** Group commit: up to `size` deliveries share one transaction, at most `lanes` transactions at a time. */
  readonly commit: GroupShape;
  /** A statement sent with each commit, in the statement that commits, told how the commit ended (runtime/commit-deliveries.ts). */
  readonly alongCommit?: CommitOptions['alongCommit'];
  /** Given the events of every commit, to publish them straight away (the outbox relay's publishCommitted). */
  readonly afterCommit?: CommitOptions['afterCommit'];
  /** Extra events about the messages each transaction handled (e.g. one LogEmitted with a record each), written with them. */
  readonly onHandled?: CommitOptions['onHandled'];
  /** Told of every failure, after the message was retried or dead-lettered. */
  readonly onFailed?: (envelope: IncomingEnvelope | undefined, error: unknown, outcome: 'retry' | 'dead-letter') => Promise<void>;
  /** Told of each delivery once it was acked or given back: its type as sent, what became of it, and the milliseconds it took (metrics). */
  readonly onOutcome?: (type: string | undefined, outcome: Outcome, ms: number) => void;
  /** Test seam for fault injection: runs after the outcome is durable and before the ack. */
  readonly hooks?: { readonly beforeAck?: (envelope: IncomingEnvelope | undefined, outcome: Outcome) => void | Promise<void> };
}

export type Outcome = Committed | 'retry' | 'dead-letter' | 'requeued';

export class Consumer {
  readonly #db: Database;
  readonly #publisher: Publisher;
  readonly #log: Logger;
  readonly #options: ConsumerOptions;
  readonly #handlers: Map<string, Handler>;
  readonly #commit: (delivery: Delivery) => Promise<Committed>;
  readonly #failurePlan: FailurePlan;
  readonly #inFlight = new Set<Promise<unknown>>();
  #channel: Channel | undefined;
  #consumerTag: string | undefined;
  /** Deliveries in flight per consumer: the options' own until setPrefetch changes it. */
  #prefetch: number;
  #stopped = false;
  /** Set while the database or the broker is unreachable: no new deliveries until both answer. */
  #outage: Promise<void> | undefined;

  constructor(db: Database, publisher: Publisher, log: Logger, options: ConsumerOptions) {
    this.#db = db;
    this.#publisher = publisher;
    this.#log = log;
    this.#options = options;
    this.#prefetch = options.prefetch;
    this.#handlers = bindHandlers(options.service, options.handlers);
    const { service, commit, alongCommit, afterCommit, onHandled, plan, maxAttempts } = options;
    this.#commit = deliveryCommitter(db, log, { service, handlers: this.#handlers, commit, alongCommit, afterCommit, onHandled });
    this.#failurePlan = { service, deadLetterQueue: plan.deadLetterQueue, waitQueues: plan.waitQueues, maxAttempts };
  }

  async attach(broker: Broker): Promise<void> {
    await broker.onConnect((model) => this.#open(model));
  }

  async #open(model: ChannelModel): Promise<void> {
    if (this.#stopped) return;
    const channel = await model.createChannel();
    channel.on('error', (err: Error) => this.#log.warn({ err: err.message }, 'consumer channel error'));
    // A closed channel has no consumer left; the broker's reconnect opens the next one.
    channel.on('close', () => {
      if (this.#channel !== channel) return;
      this.#channel = undefined;
      this.#consumerTag = undefined;
    });
    await channel.prefetch(this.#prefetch);
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
    this.#log.info({ queue: this.#options.plan.queue, prefetch: this.#prefetch }, 'consuming');
  }

  get prefetch(): number {
    return this.#prefetch;
  }

  /** Deliveries taken and not yet acked or given back. */
  get inFlight(): number {
    return this.#inFlight.size;
  }

  /** True while deliveries can come: a consumer on an open channel, not paused for an outage nor stopped. */
  get consuming(): boolean {
    return Boolean(this.#channel && this.#consumerTag) && !this.#outage && !this.#stopped;
  }

  /**
   * Changes the deliveries in flight (runtime/adaptive-prefetch.ts). RabbitMQ applies a
   * prefetch to consumers started after it, so the consumer consumes anew: the old one is
   * cancelled and its deliveries finish and are acked on the same channel, as in a pause.
   * For a moment both hold deliveries: at most the old prefetch and the new one together.
   */
  async setPrefetch(prefetch: number): Promise<void> {
    if (!Number.isInteger(prefetch) || prefetch < 1) throw new Error(`${this.#options.service}: a prefetch must be a whole number of at least 1, not ${prefetch}`);
    if (prefetch === this.#prefetch) return;
    this.#prefetch = prefetch;
    const channel = this.#channel;
    // No channel yet, or it is being replaced: the next one opens with the new prefetch.
    if (!channel || this.#stopped) return;
    await channel.prefetch(prefetch);
    const tag = this.#consumerTag;
    // Paused for an outage (or not consuming yet): the resume consumes with it.
    if (!tag || this.#outage) return;
    this.#consumerTag = undefined;
    await channel.cancel(tag);
    if (this.#stopped || this.#outage || this.#channel !== channel) return;
    await this.#consume(channel);
    // A stop or a pause that came while it consumed anew found no consumer to cancel.
    if ((this.#stopped || this.#outage) && this.#consumerTag) {
      const fresh = this.#consumerTag;
      this.#consumerTag = undefined;
      await channel.cancel(fresh).catch(() => undefined); // a dead channel has no consumer left to cancel
    }
  }

  /** The pipeline for one delivery, in its span; resolves with what became of it once it was acked or given back. */
  #process(channel: Channel, msg: ConsumeMessage): Promise<Outcome> {
    const span = this.#deliverySpan(msg);
    return inSpan(span, () => this.#processIn(channel, msg, span)).then(
      (outcome) => {
        span.setAttribute('outcome', outcome);
        endSpan(span, outcome === 'handled' || outcome === 'duplicate' ? undefined : outcome);
        return outcome;
      },
      (err: unknown) => {
        endSpan(span, err);
        throw err;
      },
    );
  }

  /** `<service> handle <Type>`, a child of the message's traceparent (read from the raw headers: the envelope may be invalid). */
  #deliverySpan(msg: ConsumeMessage): Span {
    const { messageId, type, correlationId, headers } = msg.properties;
    const traceparent = headers?.[Header.traceparent];
    const { service, plan } = this.#options;
    return startSpan(`${service} handle ${type ?? 'unknown'}`, SpanKind.CONSUMER, contextOfTraceparent(typeof traceparent === 'string' ? traceparent : undefined), {
      'messaging.system': 'rabbitmq',
      'messaging.operation.type': 'process',
      'messaging.destination.name': plan.queue,
      'messaging.message.id': messageId ? String(messageId) : '',
      'messaging.message.conversation_id': correlationId ? String(correlationId) : '',
      'order.id': correlationId ? String(correlationId) : '',
    });
  }

  async #processIn(channel: Channel, msg: ConsumeMessage, span: Span): Promise<Outcome> {
    const started = performance.now();
    let envelope: IncomingEnvelope | undefined;
    let outcome: Outcome;
    try {
      envelope = readEnvelope(msg);
      const type = this.#route(envelope);
      const sender = checkSender(type, this.#senderOf(msg), this.#options.service);
      const message = validMessage(envelope, type, msg.content, this.#options.maxMessageBytes);
      const prepared = await this.#runOutside(envelope, type, message);
      outcome = await this.#commit({ envelope, type, message, prepared, span, sender });
    } catch (error) {
      outcome = await this.#fail(msg, envelope, error);
    }
    await this.#options.hooks?.beforeAck?.(envelope, outcome);
    if (outcome === 'requeued') this.#nack(channel, msg);
    else this.#ack(channel, msg, envelope, outcome);
    this.#options.onOutcome?.(envelope?.type, outcome, performance.now() - started);
    return outcome;
  }

  #route(envelope: IncomingEnvelope): MessageName {
    if (!this.#handlers.has(envelope.type)) {
      throw new PermanentError(`${this.#options.service} does not receive messages of type ${envelope.type}`);
    }
    return envelope.type as MessageName;
  }

  #senderOf(msg: ConsumeMessage): string | undefined {
    return senderOf(msg.properties.userId, msg.properties.headers, this.#options.service);
  }

  /**
   * The handler's step outside the transaction, if it has one. It runs for a redelivery of
   * a handled message too: the step is idempotent by contract (a crash between the steps
   * repeats it anyway), and the inbox then skips the transaction.
   */
  async #runOutside(envelope: IncomingEnvelope, type: MessageName, message: unknown): Promise<Delivery['prepared']> {
    const outside = outsideStepOf(this.#handlers.get(type));
    if (!outside) return undefined;
    const { service } = this.#options;
    const log = this.#log.child({ messageId: envelope.messageId, correlationId: envelope.correlationId, type, step: 'outside-transaction' });
    const value = await outside(message, {
      service, messageId: envelope.messageId, correlationId: envelope.correlationId ?? '', attempt: envelope.attempt, db: this.#db, log,
    });
    return { value };
  }

  /** Carries out the failure policy's decision: a copy parked in a wait or dead-letter queue, or the delivery given back and a pause. */
  async #fail(msg: ConsumeMessage, envelope: IncomingEnvelope | undefined, error: unknown): Promise<Outcome> {
    const attempt = envelope?.attempt ?? 1;
    const { exchange, routingKey } = msg.fields;
    const decision = decideFailure(error, { number: attempt, headers: msg.properties.headers ?? {}, exchange, routingKey, at: new Date() }, this.#failurePlan);
    if (decision.action === 'requeue') {
      this.#pauseForOutage(error);
      return 'requeued';
    }
    // The copy goes out under this service's user-id, so it names the sender it arrived with.
    const sender = this.#senderOf(msg);
    const headers = sender === undefined ? decision.headers : { ...decision.headers, [Header.sender]: sender };
    await this.#publisher.publish({ exchange: this.#options.plan.parkingExchange, routingKey: decision.queue, content: msg.content, options: republishOptions(msg, headers) });
    const log = this.#log.child({ messageId: envelope?.messageId, correlationId: envelope?.correlationId, type: envelope?.type, attempt });
    const err = describeError(error).message;
    if (decision.action === 'retry' && decision.why === 'unavailable') {
      log.warn({ err, delayMs: decision.delayMs, waited: decision.headers[Header.outageWaits] }, 'a dependency is unavailable; waiting without spending an attempt');
    } else if (decision.action === 'retry') {
      log.warn({ err, delayMs: decision.delayMs }, 'handler failed; retrying later');
    } else {
      log.error({ err }, decision.why === 'permanent' ? 'message dead-lettered: it cannot succeed' : 'message dead-lettered after the last attempt');
    }
    await this.#options.onFailed?.(envelope, error, decision.action).catch((e) =>
      log.warn({ err: (e as Error).message }, 'could not record the failure'));
    return decision.action;
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
    const since = Date.now();
    const reachable = async () => this.#publisher.ready && await databaseReachable(this.#db);
    this.#outage = untilReachable(reachable, this.#options.outageBackoffMs ?? { first: 250, max: 5000 }, () => this.#stopped).then(async () => {
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
    const left = () => Math.max(0, deadline - Date.now());
    // On a silent broker the cancel and the close wait for answers until the heartbeats end
    // the connection (two or three beats): the stop's deadline does not wait with them.
    if (channel && this.#consumerTag) await within(channel.cancel(this.#consumerTag).catch(() => undefined), left(), undefined);
    while (this.#inFlight.size > 0 && left() > 0) await within(Promise.allSettled([...this.#inFlight]), left(), undefined);
    const drained = this.#inFlight.size === 0;
    // Closing the channel requeues whatever was delivered but not acked (so does the connection's end, if the close is left behind).
    if (channel) await within(channel.close().catch(() => undefined), Math.max(left(), 1000), undefined);
    return drained;
  }
}
