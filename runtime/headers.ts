// Every AMQP header the pipeline sets or reads, by name, so one file says what a
// message can carry and who writes it; code and tests use these, never the strings.

export const Header = {
  // The envelope, set by the outbox on every event (runtime/envelope.ts).
  /** The messageId of the message whose handling produced this one. */
  causationId: 'causation-id',
  /** W3C trace context: the cause's trace, a new span. */
  traceparent: 'traceparent',

  // Retry bookkeeping, set when a message goes through the wait queues (runtime/failure-policy.ts).
  /** Which attempt this delivery is (1 when absent). */
  attempt: 'x-attempt',
  /** How many times the message waited out an outside dependency's outage (no attempt spent). */
  outageWaits: 'x-outage-waits',
  /** The error of the last failed attempt. */
  lastError: 'x-last-error',
  /** Where the message was first published: kept once it travels through wait queues. */
  originalExchange: 'x-original-exchange',
  originalRoutingKey: 'x-original-routing-key',

  // Set by a consumer on the copies it parks (wait and dead-letter queues), which carry its own user-id (runtime/broker-access.ts).
  /** The service that sent the message first, as the broker's user-id said. */
  sender: 'x-sender',

  // Why a message is in a dead-letter queue (runtime/failure-policy.ts, read by runtime/dead-letters.ts).
  error: 'x-error',
  errorStack: 'x-error-stack',
  /** Attempts spent when it was dead-lettered. */
  attempts: 'x-attempts',
  deadLetteredAt: 'x-dead-lettered-at',
  /** The service whose consumer dead-lettered it. */
  deadLetteredBy: 'x-dead-lettered-by',
  /** Set when a dead letter is sent back to its service (npm run dlq -- replay). */
  replayedAt: 'x-replayed-at',

  // Set by RabbitMQ itself.
  /** Dead-lettering by the broker (e.g. a quorum queue's delivery limit). */
  death: 'x-death',
  /** A quorum queue's count of earlier deliveries. */
  deliveryCount: 'x-delivery-count',
} as const;

export type HeaderName = (typeof Header)[keyof typeof Header];

/** What a dead letter says about its failure: dropped when it is replayed, so the replay starts clean. */
export const FAILURE_HEADERS: readonly HeaderName[] = [
  Header.error, Header.errorStack, Header.deadLetteredAt, Header.deadLetteredBy, Header.death, Header.lastError,
];
