// What becomes of a message whose handling failed, decided in one place and without
// I/O: back to its queue unchanged (the database or the broker is unreachable), into
// a wait queue to come back later, or into the dead-letter queue, with the headers it
// travels with. The consumer carries the decision out and publishes with a confirm
// before it acks. What each kind of failure is: runtime/errors.ts.
//   unavailable (an outside dependency is down) → the wait queue of its outage count,
//       its attempts unspent, for as long as the outage lasts;
//   transient, attempts left → the wait queue of this attempt (the longest past the
//       last), the next attempt's number in its header;
//   transient on the last attempt, or permanent (bad data, an invalid or unreadable
//       message) → the dead-letter queue with the reason.
import { classifyFailure, describeError } from './errors.ts';
import { Header } from './headers.ts';
import type { QueuePlan } from './topology.ts';

export type MessageHeaders = Readonly<Record<string, unknown>>;

/** The delivery whose attempt failed. */
export interface FailedAttempt {
  /** 1 for the first delivery, then what the attempt header says. */
  readonly number: number;
  /** The headers it arrived with, bookkeeping of earlier failures included. */
  readonly headers: MessageHeaders;
  /** Where this delivery came from (a wait queue's dead-lettering, once it went through one). */
  readonly exchange: string;
  readonly routingKey: string;
  /** When it failed: the dead letter's timestamp. */
  readonly at: Date;
}

export interface FailurePlan extends Pick<QueuePlan, 'service' | 'deadLetterQueue' | 'waitQueues'> {
  readonly maxAttempts: number;
}

export type FailureDecision =
  /** Not the message's fault: it goes back to the queue as it is, and the consumer pauses. */
  | { readonly action: 'requeue' }
  /** Published to `queue`, a wait queue, it comes back to the service's queue after `delayMs`. */
  | { readonly action: 'retry'; readonly why: 'unavailable' | 'failed'; readonly queue: string; readonly delayMs: number; readonly headers: MessageHeaders }
  | { readonly action: 'dead-letter'; readonly why: 'permanent' | 'last attempt'; readonly queue: string; readonly headers: MessageHeaders };

/** Error texts are cut to these lengths: headers travel with every copy of the message. */
const LAST_ERROR_CHARS = 1000;
const ERROR_CHARS = 4000;

export function decideFailure(error: unknown, attempt: FailedAttempt, plan: FailurePlan): FailureDecision {
  const kind = classifyFailure(error);
  if (kind === 'infrastructure') return { action: 'requeue' };
  const { message, stack } = describeError(error);
  if (kind === 'unavailable') {
    const waited = Number(attempt.headers[Header.outageWaits] ?? 0) || 0;
    return retry(attempt, plan, 'unavailable', waited, { [Header.attempt]: attempt.number, [Header.outageWaits]: waited + 1 }, message);
  }
  if (kind === 'transient' && attempt.number < plan.maxAttempts) {
    return retry(attempt, plan, 'failed', attempt.number - 1, { [Header.attempt]: attempt.number + 1 }, message);
  }
  return {
    action: 'dead-letter',
    why: kind === 'permanent' ? 'permanent' : 'last attempt',
    queue: plan.deadLetterQueue,
    headers: {
      ...attempt.headers,
      [Header.error]: message.slice(0, ERROR_CHARS),
      [Header.errorStack]: stack.slice(0, ERROR_CHARS),
      [Header.attempts]: attempt.number,
      ...origin(attempt),
      [Header.deadLetteredAt]: attempt.at.toISOString(),
      [Header.deadLetteredBy]: plan.service,
    },
  };
}

/** To the wait queue of the given step (the longest past the last). */
function retry(attempt: FailedAttempt, plan: FailurePlan, why: 'unavailable' | 'failed', step: number, bookkeeping: MessageHeaders, error: string): FailureDecision {
  const waits = plan.waitQueues;
  const wait = waits[Math.max(0, Math.min(step, waits.length - 1))];
  if (!wait) throw new Error(`${plan.service} has no wait queue to retry in (no retry delays configured)`);
  return {
    action: 'retry',
    why,
    queue: wait.name,
    delayMs: wait.delayMs,
    headers: { ...attempt.headers, ...origin(attempt), ...bookkeeping, [Header.lastError]: error.slice(0, LAST_ERROR_CHARS) },
  };
}

/** Where the message was first published: this delivery's source, unless it came through a wait queue. */
function origin(attempt: FailedAttempt): MessageHeaders {
  const h = attempt.headers;
  return h[Header.originalExchange] !== undefined
    ? { [Header.originalExchange]: String(h[Header.originalExchange]), [Header.originalRoutingKey]: String(h[Header.originalRoutingKey]) }
    : { [Header.originalExchange]: attempt.exchange, [Header.originalRoutingKey]: attempt.routingKey };
}
