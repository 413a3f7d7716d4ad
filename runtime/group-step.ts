// A handler that takes the messages of a whole group commit at once (runtime/
// commit-deliveries.ts): its round trips to the database are paid once per group
// instead of once per message. Under load a service's transactions wait for the event
// loop between statements, so a handler whose every message costs a statement in a
// single lane (store-order, behind its stock lock) is bound by that wait, not by the
// database. The group step still sees each message with its own context, decides each
// one as if alone (in the given order), and returns each one's events. One step may
// serve several message types (order-timeline's): it then gets the group's messages of
// all of them together, each ctx.type telling which it is.
// The whole step runs in the span of the group's first delivery. Each message's ctx.log
// writes in that message's own trace wherever it is called (runtime/logger.ts
// loggerOfSpan), and its returned events continue its own span; anything else that
// belongs to one message (the traceparent of an e-mail it queues) is made from ctx.span.
// The handler it builds keeps the generated shape `(message, ctx) => events`: a group
// of one.
import type { HandlerContext } from './handler-context.ts';

export interface GroupItem<M> {
  readonly message: M;
  readonly ctx: HandlerContext;
}

/** Handles the group's messages (one transaction, `items[0].ctx.em`), in their order; returns the events of each. */
export type GroupStep<M, R> = (items: readonly GroupItem<M>[]) => Promise<readonly R[]>;

export interface GroupHandler<M, R> {
  (message: M, ctx: HandlerContext): Promise<R>;
  readonly group: GroupStep<M, R>;
}

export function handledInGroups<M, R>(group: GroupStep<M, R>): GroupHandler<M, R> {
  const handler = async (message: M, ctx: HandlerContext) => (await group([{ message, ctx }]))[0]!;
  return Object.assign(handler, { group });
}

export function groupStepOf(handler: unknown): GroupStep<unknown, unknown> | undefined {
  const group = (handler as { group?: unknown } | undefined)?.group;
  return typeof group === 'function' ? (group as GroupStep<unknown, unknown>) : undefined;
}

