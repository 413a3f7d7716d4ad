// Generated from asyncapi.yaml by templates/ (npm run generate). Do not edit.

/** Log emitted: A log record. */
export interface LogEmitted {
  readonly level: "info" | "error";
  readonly message: string;
}

/** One part of a thing. */
export interface Part {
  readonly code: string;
  readonly count: number;
}

/** Thing created: A thing was accepted. */
export interface ThingCreated {
  readonly orderId: string;
  readonly parts: Part[];
  /** The thing's colour, if it has one. */
  readonly colour?: "red" | "green";
}

/** Thing done: The worker finished a thing. */
export interface ThingDone {
  readonly orderId: string;
  readonly took: number | null;
  readonly [extra: string]: unknown;
}

/** Every message of the contract, by name. */
export interface MessagePayloads {
  LogEmitted: LogEmitted;
  ThingCreated: ThingCreated;
  ThingDone: ThingDone;
}

export type MessageName = keyof MessagePayloads;

/** An event as a handler returns it: the runtime adds the envelope and writes it to the outbox. */
export type OutgoingEvent<N extends MessageName = MessageName> = N extends MessageName
  ? { readonly type: N; readonly payload: MessagePayloads[N] }
  : never;
