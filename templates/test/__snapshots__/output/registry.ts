// Generated from asyncapi.yaml by templates/ (npm run generate). Do not edit.

import type { ErrorObject } from 'ajv';
import type { MessageName } from './types.ts';
import validateLogEmitted from './validators/LogEmitted.js';
import validateThingCreated from './validators/ThingCreated.js';
import validateThingDone from './validators/ThingDone.js';

export interface MessageRoute {
  readonly name: MessageName;
  readonly exchange: string;
  readonly routingKey: string;
  /** At most 10 errors; `truncated` when more may exist (the generated validators bound their work). */
  readonly validate: { (data: unknown): boolean; errors?: ErrorObject[] | null; truncated?: boolean };
}

/** Every message: where it is published and how it is validated. */
export const messages: { readonly [N in MessageName]: MessageRoute } = {
  LogEmitted: { name: "LogEmitted", exchange: "fixture.logs", routingKey: "log.emitted", validate: validateLogEmitted },
  ThingCreated: { name: "ThingCreated", exchange: "fixture.things", routingKey: "thing.created", validate: validateThingCreated },
  ThingDone: { name: "ThingDone", exchange: "fixture.things", routingKey: "thing.done", validate: validateThingDone },
};

export interface ServiceOperations {
  readonly name: string;
  readonly queue: string | null;
  readonly receives: readonly { readonly operationId: string; readonly message: MessageName; readonly handler: string }[];
  /** Everything the service may send, its share of the cross-cutting sends included. */
  readonly sends: readonly MessageName[];
  /** The sends it has from operations marked x-every-service (declared once for all services). */
  readonly everyServiceSends: readonly MessageName[];
}

/** Every service: the messages it receives (and the handler method for each) and sends. */
export const services: { readonly [name: string]: ServiceOperations } = {
  "log-sink": {
    name: "log-sink",
    queue: "log-sink",
    receives: [{ operationId: "logSink_onLogEmitted", message: "LogEmitted", handler: "onLogEmitted" }],
    sends: [],
    everyServiceSends: [],
  },
  "web": {
    name: "web",
    queue: null,
    receives: [],
    sends: ["LogEmitted", "ThingCreated"],
    everyServiceSends: ["LogEmitted"],
  },
  "worker": {
    name: "worker",
    queue: "worker",
    receives: [{ operationId: "worker_onThingCreated", message: "ThingCreated", handler: "onThingCreated" }],
    sends: ["LogEmitted", "ThingDone"],
    everyServiceSends: ["LogEmitted"],
  },
};

export const serviceNames = ["log-sink","web","worker"] as const;

/** The contract's own examples, for tests and fixtures. */
export const examples: { readonly [N in MessageName]: readonly { readonly name: string; readonly payload: unknown; readonly headers: unknown }[] } = 
{
  "LogEmitted": [
    {
      "name": "info",
      "payload": {
        "level": "info",
        "message": "hello"
      }
    }
  ],
  "ThingCreated": [
    {
      "name": "one",
      "payload": {
        "orderId": "8f14e45f-ceea-467f-a0e6-1d3c8e3b2a01",
        "parts": [
          {
            "code": "A1",
            "count": 2
          }
        ],
        "colour": "red"
      }
    }
  ],
  "ThingDone": [
    {
      "name": "done",
      "payload": {
        "orderId": "8f14e45f-ceea-467f-a0e6-1d3c8e3b2a01",
        "took": null
      }
    }
  ]
};
