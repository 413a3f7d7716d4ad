// One AMQP connection, with heartbeats and automatic recovery: after every (re)connect
// the registered setups run again (consumers, publisher channel), so consumers and the
// relay resume by themselves. Each service has two (runtime/host.ts): one it receives
// and reads on, one it publishes on.
import amqp, { type ChannelModel, type ConfirmChannel, type RecoveringChannelModel } from 'amqplib';
import type { Logger } from './logger.ts';
import { within } from './within.ts';

export type Setup = (model: ChannelModel) => Promise<void>;

export interface BrokerTimings {
  /** AMQP heartbeat: both sides end a connection that has been silent for about two of these. */
  readonly heartbeatSeconds: number;
  /**
   * A connection attempt with no open connection this long after it began gives up (and
   * recovery tries again). Heartbeats start only once a connection is open, so without
   * this an attempt into silence (a dead host, a half-open path) would wait for ever.
   */
  readonly connectTimeoutMs: number;
}

export class Broker {
  readonly #log: Logger;
  readonly #setups: Setup[] = [];
  #connection: RecoveringChannelModel | undefined;
  #model: ChannelModel | undefined;
  #closing = false;
  #probe: Promise<boolean> | undefined;
  /** Why the broker holds this connection's publishes back (a resource alarm), while it does. */
  #blocked: string | undefined;
  readonly #name: string;

  /** `name` is the connection's name in the broker's management UI. */
  constructor(log: Logger, name: string) {
    this.#log = log;
    this.#name = name;
  }

  async connect(url: string, { heartbeatSeconds, connectTimeoutMs }: BrokerTimings): Promise<void> {
    const withHeartbeat = new URL(url);
    if (!withHeartbeat.searchParams.has('heartbeat')) withHeartbeat.searchParams.set('heartbeat', String(heartbeatSeconds));
    const connection = await amqp.connect(withHeartbeat.toString(), {
      clientProperties: { connection_name: this.#name },
      timeout: connectTimeoutMs,
      recovery: {
        initialDelay: 200,
        // The longest wait between attempts is also how long a service may stay away after the
        // broker is back (up to 10 s kept a restarted broker idle for 3–7 s under full load);
        // an attempt every 5 s per connection costs a broker that is down nothing.
        maxDelay: 5_000,
        initialMaxRetries: 20,
        maxRetries: Infinity,
        waitForConnect: false,
        setup: async (model: ChannelModel) => {
          coalesceFrameWrites(model);
          this.#model = model;
          for (const setup of this.#setups) await setup(model);
        },
      },
    });
    connection.on('connect', () => this.#log.info({ connection: this.#name }, 'broker connected'));
    connection.on('disconnect', (err: Error) => {
      this.#model = undefined;
      this.#blocked = undefined;
      if (!this.#closing) this.#log.warn({ err: err?.message }, 'broker connection lost; reconnecting');
    });
    connection.on('reconnect-scheduled', ({ attempt, delay }: { attempt: number; delay: number }) =>
      this.#log.info({ attempt, delay }, 'broker reconnect scheduled'));
    connection.on('blocked', (reason: string) => {
      this.#blocked = reason || 'unknown';
      this.#log.warn({ connection: this.#name, reason }, 'broker blocked this connection: its publishes wait until the alarm clears');
    });
    connection.on('unblocked', () => {
      this.#blocked = undefined;
      this.#log.info({ connection: this.#name }, 'broker unblocked this connection');
    });
    connection.on('error', (err: Error) => this.#log.warn({ err: err.message }, 'broker connection error'));
    connection.on('handler-error', (err: Error) => this.#log.error({ err }, 'error in a broker event handler'));
    this.#connection = connection;
    await connection.waitForConnect();
  }

  /** Registers a setup that runs now (if connected) and after every reconnect. */
  async onConnect(setup: Setup): Promise<void> {
    this.#setups.push(setup);
    if (this.#model) await setup(this.#model);
  }

  /** True while the broker holds this connection's publishes back (a resource alarm): what is written to it waits in this process's memory. */
  get blocked(): boolean {
    return this.#blocked !== undefined;
  }

  /**
   * Whether the broker answers on the open connection within `withinMs`: a channel opened
   * and closed, two round trips. A connection gone silent still looks connected until
   * the heartbeats end it (two or three of them); this says so at once. One probe at a
   * time: callers during a silence share it rather than pile up channels. A connection the
   * broker blocked (a resource alarm) is not read until the alarm clears, but the broker
   * said so itself: it answers, and what waits on it is only publishing.
   */
  async answering(withinMs: number): Promise<boolean> {
    const model = this.#model;
    if (!model) return false;
    if (this.#blocked) return true;
    this.#probe ??= model.createChannel()
      .then((channel) => channel.close().then(() => true))
      .catch(() => false)
      .finally(() => { this.#probe = undefined; });
    return within(this.#probe, withinMs, false);
  }

  async createConfirmChannel(): Promise<ConfirmChannel> {
    if (!this.#connection) throw new Error('broker: connect() first');
    return this.#connection.createConfirmChannel();
  }

  async close(): Promise<void> {
    this.#closing = true;
    await this.#connection?.close().catch((err: Error) => this.#log.warn({ err: err.message }, 'closing the broker connection failed'));
    this.#model = undefined;
  }
}

/**
 * amqplib's muxer writes each queued frame to the socket on its own: a publish, an ack,
 * a syscall each (on loopback the syscall also runs the receiver's side of TCP). Corking
 * the socket for one turn of the muxer sends that turn's frames in one writev. The
 * muxer is amqplib's internal (2.x: connection.muxer, its _readIncoming and its `out`
 * socket); where it is not there as expected, frames simply go out one by one as before.
 */
function coalesceFrameWrites(model: ChannelModel): void {
  const mux = (model as unknown as { connection?: { muxer?: Muxer } }).connection?.muxer;
  if (!mux || mux[COALESCED] || typeof mux._readIncoming !== 'function' || typeof mux.out?.cork !== 'function') return;
  const turn = mux._readIncoming.bind(mux);
  mux._readIncoming = () => {
    mux.out.cork();
    try {
      turn();
    } finally {
      mux.out.uncork();
    }
  };
  mux[COALESCED] = true;
}

const COALESCED = Symbol('coalesced');
interface Muxer {
  _readIncoming: () => void;
  readonly out: { cork(): void; uncork(): void };
  [COALESCED]?: boolean;
}
