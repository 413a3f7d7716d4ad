// The contract's whole topology (from generated/topology.ts), declared by the broker
// setup (runtime/broker-setup.ts) before any service starts, so no event is ever
// unroutable because its consumers have not started yet. Besides its queue, each
// consumer has wait queues (retries), a dead-letter queue, and a parking exchange
// that routes to all of them by queue name: the one place its copies are published,
// so its user needs no write on the default exchange (which reaches every queue).
import type { ChannelModel } from 'amqplib';
import { exchanges, consumers, waitQueueName, type ConsumerTopology } from '../generated/topology.ts';

export interface QueuePlan {
  readonly service: string;
  readonly queue: string;
  readonly deadLetterQueue: string;
  /** Direct exchange to the service's own queues, by queue name: where it parks copies and replays dead letters. */
  readonly parkingExchange: string;
  /** The retry delays in force (RETRY_DELAYS_MS or the contract's), one wait queue each. */
  readonly waitQueues: readonly { readonly name: string; readonly delayMs: number }[];
  readonly topology: ConsumerTopology;
}

export function planQueues(retryDelaysMs?: readonly number[]): QueuePlan[] {
  return consumers.map((c) => {
    const delays = retryDelaysMs ?? c.retryDelaysMs;
    return {
      service: c.service,
      queue: c.queue,
      deadLetterQueue: c.deadLetterQueue,
      parkingExchange: `${c.queue}.parking`,
      waitQueues: delays.map((delayMs) => ({ name: waitQueueName(c.queue, delayMs), delayMs })),
      topology: c,
    };
  });
}

export function queuePlanFor(service: string, retryDelaysMs?: readonly number[]): QueuePlan {
  const plan = planQueues(retryDelaysMs).find((p) => p.service === service);
  if (!plan) throw new Error(`the contract declares no queue for service ${service}`);
  return plan;
}

export async function declareTopology(model: ChannelModel, retryDelaysMs?: readonly number[]): Promise<void> {
  const channel = await model.createChannel();
  try {
    for (const e of exchanges) await channel.assertExchange(e.name, e.type, { durable: e.durable });
    for (const plan of planQueues(retryDelaysMs)) {
      const c = plan.topology;
      await channel.assertQueue(plan.deadLetterQueue, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
      await channel.assertQueue(plan.queue, {
        durable: true,
        arguments: {
          'x-queue-type': 'quorum',
          'x-delivery-limit': c.deliveryLimit,
          'x-dead-letter-exchange': '',
          'x-dead-letter-routing-key': plan.deadLetterQueue,
          'x-dead-letter-strategy': c.deadLetterStrategy,
          'x-overflow': 'reject-publish',
        },
      });
      for (const w of plan.waitQueues) {
        // A message waits out its delay here, then dead-letters back to the service's queue.
        await channel.assertQueue(w.name, {
          durable: true,
          arguments: {
            'x-queue-type': 'quorum',
            'x-message-ttl': w.delayMs,
            'x-dead-letter-exchange': '',
            'x-dead-letter-routing-key': plan.queue,
            'x-dead-letter-strategy': 'at-least-once',
            'x-overflow': 'reject-publish',
          },
        });
      }
      for (const b of c.bindings) await channel.bindQueue(plan.queue, b.exchange, b.routingKey);
      await channel.assertExchange(plan.parkingExchange, 'direct', { durable: true });
      for (const queue of [plan.queue, plan.deadLetterQueue, ...plan.waitQueues.map((w) => w.name)]) {
        await channel.bindQueue(queue, plan.parkingExchange, queue);
      }
    }
  } finally {
    await channel.close().catch(() => undefined);
  }
}
