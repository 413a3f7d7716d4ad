// The client of the card processor (PAYMENT_GATEWAY_URL, or the simulated one the
// service starts): one POST /charges per call, keyed by the order id so that any repeat
// gets the first answer. An unreachable, overloaded or silent processor (refused,
// timeout, 502/503/504, 429) is a DependencyUnavailableError: the message waits without
// spending an attempt. Another 5xx (or 408) is a TransientError (retried, same key,
// counting attempts); any other 4xx is a PermanentError.
import { DependencyUnavailableError, PermanentError, TransientError } from '../../runtime/errors.ts';

export { DECLINE_REASON, paymentDraw, paymentOutcome, type PaymentOutcome } from '../../simulators/payment-provider/outcome.ts';

export interface Money { readonly amount: number; readonly currency: string }

/** The processor's answer for an order: the same for every call with its key. */
export interface GatewayAnswer {
  readonly chargeId: string;
  readonly orderId: string;
  readonly status: 'SUCCEEDED' | 'DECLINED';
  readonly reason?: string;
}

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
        const e = err as Error & { cause?: { code?: string; message?: string } };
        const happened = e.name === 'TimeoutError' || e.name === 'AbortError'
          ? `no answer from ${base} within ${options.timeoutMs} ms`
          : `${base} unreachable: ${e.cause?.code ?? e.cause?.message ?? e.message}`;
        throw new DependencyUnavailableError(`${what}: ${happened}`, { cause: err });
      }
      if ([429, 502, 503, 504].includes(res.status)) {
        throw new DependencyUnavailableError(`${what}: the payment gateway answered ${res.status} ${text.slice(0, 200)}`);
      }
      if (res.status >= 500 || res.status === 408) {
        throw new TransientError(`${what}: the payment gateway answered ${res.status} ${text.slice(0, 200)}`);
      }
      if (res.status !== 200) {
        throw new PermanentError(`${what}: the payment gateway refused the charge with ${res.status} ${text.slice(0, 200)}`);
      }
      const answer = parseAnswer(text);
      if (!answer || answer.orderId !== orderId) {
        throw new PermanentError(`${what}: the payment gateway's answer is not a charge of this order: ${text.slice(0, 200)}`);
      }
      return answer;
    },
  };
}

function parseAnswer(text: string): GatewayAnswer | undefined {
  try {
    const a = JSON.parse(text) as Partial<GatewayAnswer>;
    if (typeof a.chargeId !== 'string' || typeof a.orderId !== 'string' || (a.status !== 'SUCCEEDED' && a.status !== 'DECLINED')) return undefined;
    return { chargeId: a.chargeId, orderId: a.orderId, status: a.status, ...(typeof a.reason === 'string' ? { reason: a.reason } : {}) };
  } catch {
    return undefined;
  }
}
