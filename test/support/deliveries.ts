// What became of each delivery that watched hosts' consumers took, by messageId, read
// through the consumer's beforeAck seam (the outcome is committed or parked by then). A
// test waits until a copy it sent has been all the way through the pipeline before it
// asserts that the copy changed nothing: asserted any earlier, "still one row" holds
// while the copy is still queued, and the test cannot fail.
import type { Outcome } from '../../runtime/consumer.ts';
import type { HostOptions } from '../../runtime/host.ts';
import { eventually } from './env.ts';

/** The outcomes that end a delivery (a retry comes back later; a requeued delivery at once). */
const ENDED: readonly Outcome[] = ['handled', 'duplicate', 'dead-letter'];

export interface Deliveries {
  /** startHost's options for every host whose consumers are watched (the same object for each). */
  readonly options: HostOptions;
  /**
   * Waits until `copies` deliveries of the message have ended (handled, a duplicate, or
   * dead-lettered) and returns every outcome recorded for it, in order. A message that two
   * watched services receive counts once for each.
   */
  ended(messageId: string, copies: number, timeoutMs?: number): Promise<Outcome[]>;
}

export function watchDeliveries(): Deliveries {
  const outcomes = new Map<string, Outcome[]>();
  const record = (messageId: string, outcome: Outcome) => outcomes.set(messageId, [...(outcomes.get(messageId) ?? []), outcome]);
  return {
    options: { consumerHooks: { beforeAck: (envelope, outcome) => { if (envelope) record(envelope.messageId, outcome); } } },
    ended: async (messageId, copies, timeoutMs = 20_000) => {
      const seen = () => outcomes.get(messageId) ?? [];
      try {
        return await eventually(async () => (seen().filter((o) => ENDED.includes(o)).length >= copies ? seen() : undefined),
          `${copies} deliveries of ${messageId} to end`, timeoutMs);
      } catch (err) {
        throw new Error(`${(err as Error).message}; outcomes so far: ${JSON.stringify(seen())}`, { cause: err });
      }
    },
  };
}
