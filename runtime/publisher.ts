// Publishes with confirms over one confirm channel that follows the connection:
// persistent, mandatory (an unroutable message is an error, never a silent drop), and
// signed: every message carries its service's user-id, which the broker checks against
// the connection's user (runtime/broker-access.ts).
import type { ChannelModel, ConfirmChannel, Options } from 'amqplib';
import type { Broker } from './broker.ts';
import { BrokerUnavailableError } from './errors.ts';
import type { Logger } from './logger.ts';

export class UnroutableError extends Error {
  override readonly name = 'UnroutableError';
}

export interface Outgoing {
  readonly exchange: string;
  readonly routingKey: string;
  readonly content: Buffer;
  readonly options: Options.Publish & { messageId: string };
}

export class Publisher {
  readonly #log: Logger;
  /** The service this publisher speaks for: its broker user, set as every message's user-id. */
  readonly service: string;
  #channel: ConfirmChannel | undefined;
  #broker: Broker | undefined;
  #returned = new Set<string>();

  constructor(log: Logger, service: string) {
    this.#log = log;
    this.service = service;
  }

  async attach(broker: Broker): Promise<void> {
    this.#broker = broker;
    await broker.onConnect((model) => this.#open(model));
  }

  async #open(model: ChannelModel): Promise<void> {
    const channel = await model.createConfirmChannel();
    channel.on('return', (msg) => {
      if (msg.properties.messageId) this.#returned.add(String(msg.properties.messageId));
    });
    channel.on('error', (err: Error) => this.#log.warn({ err: err.message }, 'publisher channel error'));
    channel.on('close', () => {
      if (this.#channel === channel) this.#channel = undefined;
    });
    this.#channel = channel;
  }

  /**
   * An open channel on a connection the broker is not blocking. Under a resource alarm the
   * broker stops reading what this process writes: the callers (the relay, publishing
   * committed events) leave their rows in the outbox for after the alarm rather than heap
   * publishes up in memory (bench/ROUNDS.md, a twenty-first round).
   */
  get ready(): boolean {
    return this.#channel !== undefined && !this.#broker?.blocked;
  }

  /** Publishes a batch in order; resolves, per message, to undefined once confirmed or to the error. */
  async publishEach(messages: readonly Outgoing[]): Promise<(Error | undefined)[]> {
    const channel = this.#channel;
    if (!channel) throw new BrokerUnavailableError(`publisher: no open channel (broker connection lost); ${messages.length} message(s) not published`);
    const confirmations = messages.map((m) => new Promise<void>((resolve, reject) => {
      channel.publish(m.exchange, m.routingKey, m.content, { persistent: true, mandatory: true, ...m.options, userId: this.service }, (err) => {
        const returned = this.#returned.delete(m.options.messageId);
        if (err) reject(new Error(`broker refused ${m.options.type ?? 'message'} ${m.options.messageId} to ${m.exchange}/${m.routingKey}: ${err.message ?? err}`));
        else if (returned) reject(new UnroutableError(`${m.options.type ?? 'message'} ${m.options.messageId} is unroutable: no queue bound to ${m.exchange || '(default)'}/${m.routingKey}`));
        else resolve();
      });
    }));
    const results = await Promise.allSettled(confirmations);
    return results.map((r) => (r.status === 'rejected' ? (r.reason as Error) : undefined));
  }

  /** Publishes one message and resolves once the broker confirmed it. */
  async publish(message: Outgoing): Promise<void> {
    const [error] = await this.publishEach([message]);
    if (error) throw error;
  }
}
