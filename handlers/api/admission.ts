// An order is taken only while the pipeline keeps up. Past ADMISSION_MAX_BACKLOG messages
// waiting in the services' queues, or events waiting in the outbox to be published
// (runtime/pipeline-backlog.ts), an order accepted now would only wait behind them:
// POST /orders answers 503 with Retry-After, nothing is stored, and the client's retry
// (with the same Idempotency-Key) is safe.
//
// The refusals grow with the backlog: past the limit a share of the orders is refused,
// the share the backlog is over it (half the orders at one and a half times the limit),
// and every order at twice the limit. Refusing all at once at the limit turned every
// client away in the same half second; they all came back together after Retry-After,
// and in between the pipeline drained and stood idle (measured in bench/ROUNDS.md).
import type { Config } from '../../runtime/config.ts';
import { HttpProblem } from '../../runtime/http/problem.ts';
import type { BacklogReading, PipelineBacklog } from '../../runtime/pipeline-backlog.ts';

/** The share of orders to refuse with `waiting` messages in the queues: none up to the limit, all from twice the limit. */
export function refusedShare(waiting: number, maxBacklog: number): number {
  return Math.min(1, Math.max(0, (waiting - maxBacklog) / maxBacklog));
}

/** What waits, as the refusal says it: the queues, and the outbox when events wait there. */
export function describeBacklog(r: BacklogReading): string {
  const queues = r.queued === undefined
    ? 'the services\' queues cannot be read (is the broker down?)'
    : `${r.queued} messages wait in the services' queues${r.deepest?.waiting ? ` (the deepest is ${r.deepest.queue} with ${r.deepest.waiting})` : ''}`;
  if (!r.unpublished) return queues;
  const events = r.unpublished >= r.unpublishedCountedUpTo ? `${r.unpublished} or more` : String(r.unpublished);
  // every pending event counts while the queues cannot be read (unpublishedAfterMs 0), only the older ones otherwise
  return `${queues} and ${events} events wait in the outbox, unpublished${r.unpublishedAfterMs ? ` for over ${r.unpublishedAfterMs / 1000} s` : ''}`;
}

/**
 * Throws the 503 of a pipeline too far behind to take another order; returns when it may be taken.
 * `backlog` is undefined when admission is off (ADMISSION_MAX_BACKLOG=0): every order is taken.
 * `random` draws which orders of the refused share are refused (a test gives its own).
 */
export function orderAdmission(backlog: PipelineBacklog | undefined, { maxBacklog, checkMs }: Config['admission'], random: () => number = Math.random): () => void {
  // long enough for a few readings of a queue that drains, short enough not to idle a pipeline that caught up
  const retryAfterSeconds = Math.max(1, Math.ceil((4 * checkMs) / 1000));
  return () => {
    const reading = backlog?.current;
    if (!reading || reading.waiting <= maxBacklog) return;
    if (random() >= refusedShare(reading.waiting, maxBacklog)) return;
    throw new HttpProblem({
      status: 503,
      kind: 'pipeline-behind',
      title: 'Too many orders in progress',
      detail: `The order was not accepted: ${describeBacklog(reading)}; past ${maxBacklog} waiting a growing share of orders is refused, `
        + `all of them from ${2 * maxBacklog}. Retry in ${retryAfterSeconds} seconds.`,
      headers: { 'retry-after': String(retryAfterSeconds) },
    });
  };
}
