// The simulated payment gateway: a configurable latency, then an approval or a
// decline. With a seed the outcome is a pure function of (seed, orderId), so tests
// can predict it; without one it is random at the configured failure rate.
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

export interface GatewaySettings {
  /** Share of payments declined, 0..1. */
  readonly failureRate: number;
  /** How long the gateway takes to answer. */
  readonly latencyMs: number;
  /** Set: outcomes are deterministic per order. */
  readonly seed: string | undefined;
}

export type PaymentOutcome = 'SUCCEEDED' | 'FAILED';

export const DECLINE_REASON = 'Card declined by issuer';

/** A number in [0, 1) drawn from sha256(`${seed}:${orderId}`) (its first 48 bits). */
export function paymentDraw(orderId: string, seed: string): number {
  return createHash('sha256').update(`${seed}:${orderId}`).digest().readUIntBE(0, 6) / 2 ** 48;
}

/** What the gateway answers for the order: deterministic with a seed, random without. */
export function paymentOutcome(orderId: string, seed: string | undefined, failureRate: number): PaymentOutcome {
  const draw = seed === undefined ? Math.random() : paymentDraw(orderId, seed);
  return draw >= failureRate ? 'SUCCEEDED' : 'FAILED';
}

/** Asks the gateway to charge the order; resolves with its answer after the configured latency. */
export async function chargeCard(orderId: string, settings: GatewaySettings): Promise<PaymentOutcome> {
  if (settings.latencyMs > 0) await sleep(settings.latencyMs);
  return paymentOutcome(orderId, settings.seed, settings.failureRate);
}
