// An order is taken only while the pipeline keeps up. Past ADMISSION_MAX_BACKLOG messages
// waiting in the services' queues (runtime/pipeline-backlog.ts), an order accepted now
// would only wait behind them: POST /orders answers 503 with Retry-After, nothing is
// stored, and the client's retry (with the same Idempotency-Key) is safe.
import type { Config } from '../../runtime/config.ts';
import { HttpProblem } from '../../runtime/http/problem.ts';
import type { PipelineBacklog } from '../../runtime/pipeline-backlog.ts';

/**
 * Throws the 503 of a pipeline too far behind to take another order; returns when it may be taken.
 * `backlog` is undefined when admission is off (ADMISSION_MAX_BACKLOG=0): every order is taken.
 */
export function orderAdmission(backlog: PipelineBacklog | undefined, { maxBacklog, checkMs }: Config['admission']): () => void {
  // long enough for a few readings of a queue that drains, short enough not to idle a pipeline that caught up
  const retryAfterSeconds = Math.max(1, Math.ceil((4 * checkMs) / 1000));
  return () => {
    const reading = backlog?.current;
    if (!reading || reading.waiting <= maxBacklog) return;
    throw new HttpProblem({
      status: 503,
      kind: 'pipeline-behind',
      title: 'Too many orders in progress',
      detail: `The order was not accepted: ${reading.waiting} messages wait in the services' queues (at most ${maxBacklog} are let build up; `
        + `the deepest is ${reading.deepest.queue} with ${reading.deepest.waiting}). Retry in ${retryAfterSeconds} seconds.`,
      headers: { 'retry-after': String(retryAfterSeconds) },
    });
  };
}
