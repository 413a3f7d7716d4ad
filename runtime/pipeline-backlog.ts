// How far behind the pipeline is, as the api sees it before it takes an order: the
// messages waiting (ready, not yet handed to a consumer) in every service's queue. Read
// from the broker with passive declares, which need no permission and answer with the
// broker's current count (the management API's figures are seconds old). An order
// taken while thousands of messages wait would only wait behind them: past the limit
// the api refuses new orders with a 503 and Retry-After instead (handlers/api), and a
// pipeline that catches up admits them again by itself.
// When the broker cannot be read the backlog is unknown and orders are admitted: an
// accepted order is in the api's outbox, safe whatever the broker does, and refusing
// orders for a broker outage is the readiness probe's business, not this one's.
import type { Channel, ChannelModel } from 'amqplib';
import { consumers } from '../generated/topology.ts';
import type { Broker } from './broker.ts';
import type { Logger } from './logger.ts';

export interface BacklogReading {
  /** Messages waiting in the services' queues, when last read. */
  readonly waiting: number;
  /** The deepest queue then: where the pipeline is behind. */
  readonly deepest: { readonly queue: string; readonly waiting: number };
  /** When it was read (ms since the epoch). */
  readonly at: number;
}

export interface PipelineBacklog {
  /** The last reading; undefined while the broker could not be read (or not lately). */
  readonly current: BacklogReading | undefined;
  stop(): void;
}

/** Reads the depth of every service's queue every `everyMs`, on a channel of its own. */
export async function watchPipelineBacklog(broker: Broker, everyMs: number, log: Logger): Promise<PipelineBacklog> {
  const queues = consumers.map((c) => c.queue);
  let model: ChannelModel | undefined;
  let channel: Channel | undefined;
  let current: BacklogReading | undefined;
  let failing = false;
  let stopped = false;
  await broker.onConnect(async (m) => {
    model = m;
    channel = undefined;
  });

  const read = async (): Promise<BacklogReading> => {
    if (!channel) {
      if (!model) throw new Error('the broker is not connected');
      const opened = await model.createChannel();
      opened.on('error', () => undefined); // a refused declare closes the channel; its error is the read's
      opened.on('close', () => { if (channel === opened) channel = undefined; });
      channel = opened;
    }
    const depths = await Promise.all(queues.map(async (queue) => ({ queue, waiting: (await channel!.checkQueue(queue)).messageCount })));
    const deepest = depths.reduce((a, b) => (b.waiting > a.waiting ? b : a));
    return { waiting: depths.reduce((sum, d) => sum + d.waiting, 0), deepest, at: Date.now() };
  };

  const tick = async () => {
    try {
      current = await read();
      if (failing) log.info({ waiting: current.waiting }, 'pipeline backlog readable again');
      failing = false;
    } catch (err) {
      current = undefined;
      if (!failing) log.warn({ err: (err as Error).message }, 'cannot read the pipeline backlog; admitting orders until it can be read');
      failing = true;
    }
  };

  await tick();
  let reading = false;
  const timer = setInterval(() => {
    if (reading || stopped) return; // one read at a time, however slow the broker is
    reading = true;
    void tick().finally(() => { reading = false; });
  }, everyMs);
  timer.unref();
  // a reading that could not be renewed for a while (a broker that stopped answering) is no reading
  const fresh = () => (current && Date.now() - current.at <= 5 * everyMs + 1000 ? current : undefined);
  return {
    get current() { return fresh(); },
    stop() {
      stopped = true;
      clearInterval(timer);
      void channel?.close().catch(() => undefined);
    },
  };
}
