// The simulated processor's decisions, as pure functions: whether a card is declined
// and whether a call meets an injected fault. With a seed each is a pure function of
// its inputs (tests predict them); without one they are random at the given rate.
import { createHash } from 'node:crypto';

export type PaymentOutcome = 'SUCCEEDED' | 'FAILED';

export const DECLINE_REASON = 'Card declined by issuer';

/** A number in [0, 1) drawn from sha256(`${seed}:${orderId}`) (its first 48 bits). */
export function paymentDraw(orderId: string, seed: string): number {
  return createHash('sha256').update(`${seed}:${orderId}`).digest().readUIntBE(0, 6) / 2 ** 48;
}

/** Whether the processor approves the order's charge: deterministic with a seed, random without. */
export function paymentOutcome(orderId: string, seed: string | undefined, failureRate: number): PaymentOutcome {
  const draw = seed === undefined ? Math.random() : paymentDraw(orderId, seed);
  return draw >= failureRate ? 'SUCCEEDED' : 'FAILED';
}

export type Fault = 'error' | 'timeout' | undefined;

/**
 * The injected fault, if any, of the `call`-th call (1-based) with this idempotency key:
 * drawn per call, so a retry of the same key draws again and can get through.
 */
export function faultOf(key: string, call: number, seed: string | undefined, errorRate: number, timeoutRate: number): Fault {
  const draw = (what: string) => (seed === undefined ? Math.random() : paymentDraw(`${key}:${call}:${what}`, seed));
  if (errorRate > 0 && draw('error') < errorRate) return 'error';
  if (timeoutRate > 0 && draw('timeout') < timeoutRate) return 'timeout';
  return undefined;
}
