// What the card processor's reply means for an order, as pure rules:
//   approved  (200, SUCCEEDED)                    → the payment succeeded (PaymentSucceeded)
//   declined  (200, DECLINED)                     → the payment failed (PaymentFailed), with the
//                                                   processor's reason or DECLINE_REASON
//   down, overloaded or silent (no connection, timeout, 429, 502, 503, 504)
//                                                 → wait: the message waits without spending an attempt
//   an error  (any other 5xx, 408)                → retry: same idempotency key, counting attempts
//   refused   (any other status: 4xx, 3xx, a 2xx but 200), or a 200 that is not
//             a charge of this order (the echoed order id is compared through uuidKey:
//             a processor may echo the uuid in another case)
//                                                 → refused: no retry can cure it (dead letter)
// A retry or a wait calls again with the order id as key: the processor answers a
// repeat with its first answer, so no path charges twice.
import { DependencyUnavailableError, PermanentError, TransientError } from '../../runtime/errors.ts';
import { uuidKey } from '../../runtime/uuid-key.ts';
import { DECLINE_REASON, type PaymentOutcome } from '../../simulators/payment-provider/outcome.ts';

/** The processor's answer for an order: the same for every call with its key. */
export interface GatewayAnswer {
  readonly chargeId: string;
  readonly orderId: string;
  readonly status: 'SUCCEEDED' | 'DECLINED';
  readonly reason?: string;
}

/** A reply that is no answer: what to do instead, and `why` (what the processor did). */
export interface NoAnswer {
  readonly kind: 'wait' | 'retry' | 'refused';
  readonly why: string;
}

/** A reply read: the processor's answer, or what to do instead. */
export type ChargeReply = { readonly kind: 'answer'; readonly answer: GatewayAnswer } | NoAnswer;

/** The HTTP statuses of a processor that is down, overloaded or behind a proxy that gave up: not the message's fault. */
const UNAVAILABLE_STATUS: ReadonlySet<number> = new Set([429, 502, 503, 504]);

/** What the processor's HTTP reply (status and body) to a charge of `orderId` means. */
export function readReply(orderId: string, status: number, body: string): ChargeReply {
  const shown = `${status} ${body.slice(0, 200)}`;
  if (UNAVAILABLE_STATUS.has(status)) return { kind: 'wait', why: `the payment gateway answered ${shown}` };
  if (status >= 500 || status === 408) return { kind: 'retry', why: `the payment gateway answered ${shown}` };
  if (status !== 200) return { kind: 'refused', why: `the payment gateway refused the charge with ${shown}` };
  const answer = parseAnswer(body);
  if (!answer || uuidKey(answer.orderId) !== uuidKey(orderId)) {
    return { kind: 'refused', why: `the payment gateway's answer is not a charge of this order: ${body.slice(0, 200)}` };
  }
  return { kind: 'answer', answer };
}

/** The call's time limit passed (gateway.ts): no whole reply within it, from the wait for the address to the body's last byte. */
export class ChargeTimeoutError extends Error {
  override readonly name = 'ChargeTimeoutError';
}

/**
 * No reply at all: the call ran out of time (a ChargeTimeoutError), or node:http failed
 * to connect, send or read (an error with an errno `code`: ECONNREFUSED, ECONNRESET,
 * ENOTFOUND, EAI_AGAIN...). The processor is silent or unreachable, which is always a wait.
 */
export function readNoReply(error: Error, base: string, timeoutMs: number): NoAnswer {
  if (error instanceof ChargeTimeoutError) return { kind: 'wait', why: `no answer from ${base} within ${timeoutMs} ms` };
  const code = (error as Error & { code?: unknown }).code;
  // node:http names most failures by their code ("connect ECONNREFUSED 127.0.0.1:4010"); a reset before the reply is "socket hang up" (ECONNRESET)
  const said = typeof code !== 'string' ? error.message : error.message.includes(code) ? code : `${code} (${error.message})`;
  return { kind: 'wait', why: `${base} unreachable: ${said}` };
}

/** The error the runtime honours for a reply that is not an answer: wait, retry or dead-letter. */
export function failureOf(reply: NoAnswer, what: string, cause?: unknown): Error {
  const message = `${what}: ${reply.why}`;
  const options = cause === undefined ? undefined : { cause };
  switch (reply.kind) {
    case 'wait': return new DependencyUnavailableError(message, options);
    case 'retry': return new TransientError(message, options);
    case 'refused': return new PermanentError(message, options);
  }
}

/** A 200's body as the processor's answer; undefined when it is not one. */
export function parseAnswer(text: string): GatewayAnswer | undefined {
  try {
    const a = JSON.parse(text) as Partial<GatewayAnswer> | null;
    if (!a || typeof a.chargeId !== 'string' || typeof a.orderId !== 'string' || (a.status !== 'SUCCEEDED' && a.status !== 'DECLINED')) return undefined;
    return { chargeId: a.chargeId, orderId: a.orderId, status: a.status, ...(typeof a.reason === 'string' ? { reason: a.reason } : {}) };
  } catch {
    return undefined;
  }
}

/** How a payment ends, as recorded: succeeded, or failed with the reason the customer is told. */
export type Settlement =
  | { readonly outcome: Extract<PaymentOutcome, 'SUCCEEDED'>; readonly reason: null }
  | { readonly outcome: Extract<PaymentOutcome, 'FAILED'>; readonly reason: string };

/** Approved is a success; declined is a failure with the processor's reason (DECLINE_REASON when it gave none). */
export function settle(answer: GatewayAnswer): Settlement {
  return answer.status === 'SUCCEEDED'
    ? { outcome: 'SUCCEEDED', reason: null }
    : { outcome: 'FAILED', reason: answer.reason || DECLINE_REASON };
}
