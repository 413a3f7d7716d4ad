// Generated from asyncapi.yaml by templates/ (npm run generate). Do not edit.

export interface ExchangeDeclaration { readonly name: string; readonly type: string; readonly durable: boolean }
export interface QueueBinding { readonly exchange: string; readonly routingKey: string; readonly message: string }
export interface ConsumerTopology {
  readonly service: string;
  /** Quorum queue the service consumes from. */
  readonly queue: string;
  /** Where messages end after the last retry, when invalid, or past the delivery limit. */
  readonly deadLetterQueue: string;
  readonly deliveryLimit: number;
  readonly deadLetterStrategy: string;
  /** Default growing delays of the retry wait queues (RETRY_DELAYS_MS overrides them). */
  readonly retryDelaysMs: readonly number[];
  readonly bindings: readonly QueueBinding[];
}

export const exchanges: readonly ExchangeDeclaration[] = [
  {
    "name": "fixture.logs",
    "type": "topic",
    "durable": true
  },
  {
    "name": "fixture.things",
    "type": "topic",
    "durable": true
  }
];

export const consumers: readonly ConsumerTopology[] = [
  {
    "service": "log-sink",
    "queue": "log-sink",
    "deadLetterQueue": "log-sink.dlq",
    "deliveryLimit": 3,
    "deadLetterStrategy": "at-least-once",
    "retryDelaysMs": [
      100,
      1000
    ],
    "bindings": [
      {
        "exchange": "fixture.logs",
        "routingKey": "log.emitted",
        "message": "LogEmitted"
      }
    ]
  },
  {
    "service": "worker",
    "queue": "worker",
    "deadLetterQueue": "worker.dlq",
    "deliveryLimit": 3,
    "deadLetterStrategy": "at-least-once",
    "retryDelaysMs": [
      100,
      1000
    ],
    "bindings": [
      {
        "exchange": "fixture.things",
        "routingKey": "thing.created",
        "message": "ThingCreated"
      }
    ]
  }
];

/** Name of the TTL wait queue that holds a message for delayMs before it returns to queue. */
export function waitQueueName(queue: string, delayMs: number): string {
  return "{queue}.wait.{delayMs}ms".replace('{queue}', queue).replace('{delayMs}', String(delayMs));
}
