// Runs the business step of an HTTP operation the way the consumer runs a handler:
// one transaction holds the step's own writes and the events it returns (written to
// the outbox), and those events are published right after the commit (the relay's
// pass is the fallback). The caller gets the result only once it is committed, so an
// answer never announces what could still be lost; an unreachable database is a 503.
// Requests that arrive together share the transaction (group commit, runtime/
// group-commit.ts): the step gets all of them at once and decides each one. A batch
// that fails is committed again one request at a time, so a failure is always the
// request's own; but when the database is unreachable, every request of the batch
// gets its 503 at once. Each request keeps its own span: its events continue it.
// The requests waiting for a free lane are the host's metric shop_group_commit_waiting.
import type { OutgoingEvent } from '../../generated/types.ts';
import { inTransaction, type EntityManager } from '../db.ts';
import { describeError } from '../errors.ts';
import { GroupCommit, type GroupShape } from '../group-commit.ts';
import { writeAllToOutbox } from '../outbox.ts';
import type { ServiceRuntime } from '../service.ts';
import { activeSpan, type Span } from '../tracing.ts';
import { isInfrastructureFailure, serviceUnavailable } from './problem.ts';

/** What a step decided, and the events its writes produced (committed with them, or not at all). */
export interface Outcome<T> {
  readonly result: T;
  readonly events: readonly OutgoingEvent[];
}

export interface CommitOptions {
  /** The service writing the events (the AMQP appId). */
  readonly service: string;
  /** The 503's detail when the database cannot be reached: what was not done. */
  readonly unavailable: string;
  /** Up to `size` requests share one transaction, at most `lanes` transactions at a time. */
  readonly commit: GroupShape;
}

/** Decides the requests in one transaction (`em`), in their order; returns each one's outcome. */
export type GroupStep<I, T> = (em: EntityManager, requests: readonly I[]) => Promise<readonly Outcome<T>[]>;

interface Submitted<I> {
  readonly request: I;
  /** The request's span (its HTTP SERVER span): its events continue it, whichever request's turn runs the batch. */
  readonly span: Span | undefined;
}

/** Returns the function that commits one request (with whatever else is queued); it resolves with the request's result once committed. */
export function stepCommitter<I, T>(
  runtime: Pick<ServiceRuntime, 'db' | 'relay' | 'log' | 'metrics'>,
  options: CommitOptions,
  step: GroupStep<I, T>,
): (request: I) => Promise<T> {
  const groups = new GroupCommit<Submitted<I>, T>({
    ...options.commit,
    commit: (batch) => commitSteps(runtime, options, step, batch),
    onBatchFailed: (size, err) =>
      runtime.log.warn({ size, err: describeError(err).message }, 'a group of requests failed together; committing them one by one'),
    // nothing was committed: a retry (with the same Idempotency-Key) is safe, and one by one would only take longer
    sharedFailure: isInfrastructureFailure,
  });
  runtime.metrics.watchGroupCommit(options.service, groups);
  return (request) => groups.submit({ request, span: activeSpan() });
}

async function commitSteps<I, T>(
  runtime: Pick<ServiceRuntime, 'db' | 'relay'>,
  options: CommitOptions,
  step: GroupStep<I, T>,
  batch: readonly Submitted<I>[],
): Promise<T[]> {
  const { results, messages } = await inTransaction(runtime.db, async (em) => {
    const outcomes = await step(em, batch.map((b) => b.request));
    if (outcomes.length !== batch.length) throw new Error(`${options.service}'s step decided ${outcomes.length} of ${batch.length} requests`);
    const written = outcomes.map((o, i) => ({ events: o.events, cause: { service: options.service, span: batch[i]!.span } }));
    return { results: outcomes.map((o) => o.result), messages: await writeAllToOutbox(em, written, { last: true }) };
  }).catch((err: unknown) => {
    if (isInfrastructureFailure(err)) throw serviceUnavailable(options.unavailable, err);
    throw err;
  });
  runtime.relay.publishCommitted(messages);
  return results;
}
