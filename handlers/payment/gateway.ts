// The client of the card processor (PAYMENT_GATEWAY_URL, or the simulated one the
// service starts): one POST /charges per call, keyed by the order id so that any repeat
// gets the first answer. What each reply means (an answer, or wait, retry, refuse) is
// charge-outcome.ts's rule; this module makes the call and throws what that rule says:
// a DependencyUnavailableError (wait, no attempt spent), a TransientError (retry) or a
// PermanentError (dead letter).
import { DependencyUnavailableError } from '../../runtime/errors.ts';
import { failureOf, readNoReply, readReply, type GatewayAnswer } from './charge-outcome.ts';

export { DECLINE_REASON, paymentDraw, paymentOutcome, type PaymentOutcome } from '../../simulators/payment-provider/outcome.ts';
export type { GatewayAnswer } from './charge-outcome.ts';

export interface Money { readonly amount: number; readonly currency: string }

export interface ChargeRequest {
  readonly orderId: string;
  readonly amount: Money;
  /** The delivery attempt, for the error's context. */
  readonly attempt: number;
}

export interface GatewayClient {
  charge(request: ChargeRequest): Promise<GatewayAnswer>;
}

export interface GatewayClientOptions {
  /** The processor's base URL, or a promise of it (the embedded processor is started after the handlers are built). */
  readonly baseUrl: () => string | Promise<string>;
  /** Per call, the wait for the base URL included. */
  readonly timeoutMs: number;
}

/**
 * fetch keeps connections alive and, with Node's default dispatcher, opens as many per
 * origin as there are calls in flight: 100 charges at once are 100 parallel requests,
 * none queued behind another's latency.
 */
export function gatewayClient(options: GatewayClientOptions): GatewayClient {
  return {
    async charge({ orderId, amount, attempt }) {
      const what = `charging order ${orderId} (attempt ${attempt})`;
      const signal = AbortSignal.timeout(options.timeoutMs);
      let base: string;
      try {
        base = await Promise.race([
          Promise.resolve(options.baseUrl()),
          new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true })),
        ]);
      } catch (err) {
        throw new DependencyUnavailableError(`${what}: the payment gateway's address is not known yet (${(err as Error).message})`, { cause: err });
      }
      let res: Response;
      let text: string;
      try {
        res = await fetch(`${base}/charges`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'idempotency-key': orderId },
          body: JSON.stringify({ orderId, amount: { amount: amount.amount, currency: amount.currency } }),
          signal,
        });
        text = await res.text();
      } catch (err) {
        throw failureOf(readNoReply(err as Error, base, options.timeoutMs), what, err);
      }
      const reply = readReply(orderId, res.status, text);
      if (reply.kind !== 'answer') throw failureOf(reply, what);
      return reply.answer;
    },
  };
}
