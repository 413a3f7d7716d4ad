// Pairs a service's handlers with what the contract says the service receives, at
// start-up: a missing handler or one for a message the service does not receive
// stops the process with a line naming the file, before anything is consumed.
import { services } from '../generated/registry.ts';
import type { OutgoingEvent } from '../generated/types.ts';
import type { HandlerContext } from './handler-context.ts';
import { groupStepOf } from './group-step.ts';
import { outsideStepOf } from './outside-step.ts';

export type Handler = (message: unknown, ctx: HandlerContext) => Promise<readonly OutgoingEvent[]>;

/** The handler of each message type the service receives (with its step outside the transaction, or its group step, if any). */
export function bindHandlers(service: string, handlers: object): Map<string, Handler> {
  const declared = services[service];
  if (!declared) throw new Error(`service ${service} is not declared in asyncapi.yaml`);
  const bound = new Map<string, Handler>();
  for (const r of declared.receives) {
    const fn = (handlers as Record<string, unknown>)[r.handler];
    if (typeof fn !== 'function') throw new Error(`service ${service}: handlers/${service}/${r.handler}.ts is missing (${r.operationId})`);
    const outside = outsideStepOf(fn);
    const group = groupStepOf(fn);
    bound.set(r.message, Object.assign(fn.bind(handlers) as Handler, outside ? { outside } : {}, group ? { group } : {}));
  }
  const extra = Object.keys(handlers).filter((k) => !declared.receives.some((r) => r.handler === k));
  if (extra.length) throw new Error(`service ${service}: ${extra.join(', ')} handle nothing the contract says ${service} receives`);
  return bound;
}
