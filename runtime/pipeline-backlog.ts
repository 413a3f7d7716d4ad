// How far behind the pipeline is, as the api sees it before it takes an order: the
// messages waiting (ready, not yet handed to a consumer) in every service's queue, and
// the events still in the outbox a second after their commit (not yet published: the
// broker is down, or their service is). Queue depths are read from the broker with
// passive declares, which need no permission and answer with the broker's current count
// (the management API's figures are seconds old); the outbox on the runtime's pool
// (OutboxRelay.unpublished). An order taken while thousands of messages wait would only
// wait behind them: past the limit the api refuses new orders with a 503 and Retry-After
// instead (handlers/api), and a pipeline that catches up admits them again by itself.
// The outbox is what bounds a broker outage: the queues cannot be read then, but the
// orders' OrderCreated events wait in the outbox and are counted there, every one of them
// (unpublishedAfterMs), so past the limit new orders are refused until the broker is back
// and the relay has published what waited, instead of piling up behind it (the README
// measures one). Each part is read on
// its own; one that cannot be read counts as nothing waiting there, and with neither
// readable every order is admitted: refusing orders for an outage is the readiness
// probe's business, not this one's.
import type { Channel, ChannelModel } from 'amqplib';
import { serviceNames } from '../generated/registry.ts';
import { consumers } from '../generated/topology.ts';
import type { Broker } from './broker.ts';
import type { Logger } from './logger.ts';
import type { OutboxRelay } from './relay.ts';

/** An outbox row pending this long is waiting, not being published: the writer publishes and marks its rows within milliseconds. */
export const UNPUBLISHED_AFTER_MS = 1000;

/**
 * How old a pending row must be to count: with the broker readable, a second (younger ones
 * are being published); with it unreadable, none is being published, so every pending row
 * counts at once, and an outage is bounded from its first orders, not a second of them later.
 */
export const unpublishedAfterMs = (queuesReadable: boolean) => (queuesReadable ? UNPUBLISHED_AFTER_MS : 0);

export interface BacklogReading {
  /** What waits in all: the queues' messages and the unpublished events, as far as each could be read. */
  readonly waiting: number;
  /** Messages waiting in the services' queues; undefined while the broker cannot be read. */
  readonly queued: number | undefined;
  /** The deepest queue then: where the pipeline is behind (with the queues' reading). */
  readonly deepest: { readonly queue: string; readonly waiting: number } | undefined;
  /** Events pending in the outbox for over `unpublishedAfterMs` (counted up to a cap); undefined while the database cannot be read. */
  readonly unpublished: number | undefined;
  /** The age from which a pending event counted: unpublishedAfterMs of whether the queues could be read then. */
  readonly unpublishedAfterMs: number;
  /** The count of unpublished events stops here: `unpublished` equal to it means at least as many. */
  readonly unpublishedCountedUpTo: number;
  /** When it was read (ms since the epoch). */
  readonly at: number;
}

export interface PipelineBacklog {
  /** The last reading; undefined while neither part could be read (or not lately). */
  readonly current: BacklogReading | undefined;
  stop(): void;
}

export interface BacklogSources {
  readonly broker: Broker;
  /** The runtime's relay: its pool reads the outbox. */
  readonly relay: Pick<OutboxRelay, 'unpublished'>;
  readonly everyMs: number;
  /** Unpublished events are counted up to this (past it admission refuses every order anyway). */
  readonly countUpTo: number;
  readonly log: Logger;
}

/** One part of the reading, renewed every `everyMs` by its own read: a slow broker does not hold up the outbox's count, nor the other way round. */
function poller<T>(what: string, read: () => Promise<T>, everyMs: number, log: Logger) {
  let last: { value: T; at: number } | undefined;
  let failing = false;
  let reading = false;
  const tick = async () => {
    reading = true;
    try {
      last = { value: await read(), at: Date.now() };
      if (failing) log.info({ part: what }, 'pipeline backlog readable again');
      failing = false;
    } catch (err) {
      last = undefined;
      if (!failing) log.warn({ part: what, err: (err as Error).message }, `cannot read the pipeline backlog's ${what}; counting nothing there until it can be read`);
      failing = true;
    } finally {
      reading = false;
    }
  };
  let timer: NodeJS.Timeout | undefined;
  return {
    async start() {
      await tick();
      timer = setInterval(() => { if (!reading) void tick(); }, everyMs); // one read at a time, however slow the server is
      timer.unref();
    },
    stop: () => clearInterval(timer),
    // a reading that could not be renewed for a while (a server that stopped answering) is no reading
    fresh: () => (last && Date.now() - last.at <= 5 * everyMs + 1000 ? last : undefined),
  };
}

/** Reads the depth of every service's queue (on a channel of its own) and the unpublished events, every `everyMs`. */
export async function watchPipelineBacklog({ broker, relay, everyMs, countUpTo, log }: BacklogSources): Promise<PipelineBacklog> {
  const queues = consumers.map((c) => c.queue);
  let model: ChannelModel | undefined;
  let channel: Channel | undefined;
  let stopped = false;
  await broker.onConnect(async (m) => {
    model = m;
    channel = undefined;
  });

  const readQueues = async () => {
    if (stopped) throw new Error('the backlog watch is stopped');
    if (!channel) {
      if (!model) throw new Error('the broker is not connected');
      const opened = await model.createChannel();
      opened.on('error', () => undefined); // a refused declare closes the channel; its error is the read's
      opened.on('close', () => { if (channel === opened) channel = undefined; });
      channel = opened;
    }
    const depths = await Promise.all(queues.map(async (queue) => ({ queue, waiting: (await channel!.checkQueue(queue)).messageCount })));
    return { waiting: depths.reduce((sum, d) => sum + d.waiting, 0), deepest: depths.reduce((a, b) => (b.waiting > a.waiting ? b : a)) };
  };
  const inQueues = poller('queues', readQueues, everyMs, log);
  const inOutbox = poller('outbox', async () => {
    const afterMs = unpublishedAfterMs(inQueues.fresh() !== undefined);
    return { count: await relay.unpublished(serviceNames, afterMs, countUpTo), afterMs };
  }, everyMs, log);
  await inQueues.start(); // first: the outbox's first count depends on whether the queues could be read
  await inOutbox.start();

  return {
    get current(): BacklogReading | undefined {
      const q = inQueues.fresh();
      const o = inOutbox.fresh();
      if (!q && !o) return undefined;
      return {
        waiting: (q?.value.waiting ?? 0) + (o?.value.count ?? 0),
        queued: q?.value.waiting,
        deepest: q?.value.deepest,
        unpublished: o?.value.count,
        unpublishedAfterMs: o?.value.afterMs ?? UNPUBLISHED_AFTER_MS,
        unpublishedCountedUpTo: countUpTo,
        at: Math.min(q?.at ?? Infinity, o?.at ?? Infinity),
      };
    },
    stop() {
      stopped = true;
      inQueues.stop();
      inOutbox.stop();
      void channel?.close().catch(() => undefined);
    },
  };
}
