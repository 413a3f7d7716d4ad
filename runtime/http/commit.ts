// Runs the business step of an HTTP operation the way the consumer runs a handler:
// one transaction holds the step's own writes and the events it returns (written to
// the outbox), and those events are published right after the commit (the relay's
// pass is the fallback). The caller gets the result only once it is committed, so an
// answer never announces what could still be lost; an unreachable database is a 503.
import type { OutgoingEvent } from '../../generated/types.ts';
import { inTransaction, type EntityManager } from '../db.ts';
import { writeToOutbox } from '../outbox.ts';
import type { ServiceRuntime } from '../service.ts';
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
}

export async function commitStep<T>(
  runtime: Pick<ServiceRuntime, 'db' | 'relay'>,
  options: CommitOptions,
  step: (em: EntityManager) => Promise<Outcome<T>>,
): Promise<T> {
  const { result, messages } = await inTransaction(runtime.db, async (em) => {
    const outcome = await step(em);
    return { result: outcome.result, messages: await writeToOutbox(em, outcome.events, { service: options.service }) };
  }).catch((err: unknown) => {
    // nothing was committed: a retry (with the same Idempotency-Key) is safe
    if (isInfrastructureFailure(err)) throw serviceUnavailable(options.unavailable, err);
    throw err;
  });
  runtime.relay.publishCommitted(messages);
  return result;
}
