// A handler that must call the outside world (a payment gateway) does it in a step
// that runs before the delivery's transaction, holding no database connection while
// it waits; the transaction then records the outcome with the inbox and the outbox.
// The outside step may run more than once for one message (a crash, a redelivery, a
// retry): it must be idempotent, e.g. by calling with an idempotency key.
import type { Database } from './db.ts';
import type { HandlerContext } from './handler-context.ts';
import type { Logger } from './logger.ts';

/** What the step outside the transaction may use: its own short transactions on the service's pool, no delivery transaction. */
export interface OutsideContext {
  readonly service: string;
  readonly messageId: string;
  readonly correlationId: string;
  readonly attempt: number;
  /** The service's own database (its pool): for short transactions that record intent. */
  readonly db: Database;
  readonly log: Logger;
}

export type OutsideStep<M, P> = (message: M, ctx: OutsideContext) => Promise<P>;

/** The handler with its step outside the transaction attached; the consumer runs `outside` first. */
export interface TwoStepHandler<M, P, R> {
  (message: M, ctx: HandlerContext): Promise<R>;
  readonly outside: OutsideStep<M, P>;
}

const PREPARED = Symbol('prepared');

/**
 * Builds a handler of the generated shape `(message, ctx) => events` from two steps:
 * `outside` runs first, with no transaction open; `within` runs in the delivery's
 * transaction and receives what `outside` returned.
 */
export function withStepOutsideTransaction<M, P, R>(
  outside: OutsideStep<M, P>,
  within: (message: M, ctx: HandlerContext, prepared: P) => Promise<R>,
): TwoStepHandler<M, P, R> {
  const handler = (message: M, ctx: HandlerContext) => within(message, ctx, preparedOf<P>(ctx));
  return Object.assign(handler, { outside });
}

export function outsideStepOf(handler: unknown): OutsideStep<unknown, unknown> | undefined {
  const outside = (handler as { outside?: unknown } | undefined)?.outside;
  return typeof outside === 'function' ? (outside as OutsideStep<unknown, unknown>) : undefined;
}

/** What the outside step returned for this delivery, as its context carries it (for a group step: runtime/group-step.ts). */
export function preparedOf<P>(ctx: HandlerContext): P {
  const holder = ctx as HandlerContext & { [PREPARED]?: { value: P } };
  if (!holder[PREPARED]) throw new Error(`${ctx.service}: the step outside the transaction did not run for ${ctx.messageId}`);
  return holder[PREPARED].value;
}

/** The handler context carrying the outside step's result to `within`. */
export function withPrepared(ctx: HandlerContext, value: unknown): HandlerContext {
  return Object.assign(ctx, { [PREPARED]: { value } });
}
