// The client of the card processor (PAYMENT_GATEWAY_URL, or the simulated one the
// service starts): one POST /charges per call, keyed by the order id so that any repeat
// gets the first answer. What each reply means (an answer, or wait, retry, refuse) is
// charge-outcome.ts's rule; this module makes the call and throws what that rule says:
// a DependencyUnavailableError (wait, no attempt spent), a TransientError (retry) or a
// PermanentError (dead letter).
import { Agent as HttpAgent, request as httpRequest, type ClientRequest, type OutgoingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { CallMeter } from '../../runtime/adaptive-prefetch.ts';
import { DependencyUnavailableError } from '../../runtime/errors.ts';
import { ChargeTimeoutError, failureOf, readNoReply, readReply, type GatewayAnswer } from './charge-outcome.ts';

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
  /** Drops every connection, idle or in use; later charges fail as unavailable (wait). The payment service's stop. */
  close(): void;
}

export interface GatewayClientOptions {
  /** The processor's base URL, or a promise of it (the embedded processor is started after the handlers are built). */
  readonly baseUrl: () => string | Promise<string>;
  /** Per call, all of it: the wait for the base URL, connecting, sending and reading the whole reply. */
  readonly timeoutMs: number;
  /** Told of every call: its time in flight, and whether the processor answered or was down, overloaded or silent (a wait). */
  readonly meter?: CallMeter;
}

/**
 * Idle connections kept for the next charges, per agent. The service keeps 128 charges in
 * flight, and up to PAYMENT_MAX_IN_FLIGHT (1,000) against a slow processor
 * (handlers/payment/index.ts): 1,024 keeps every connection of a full burst. A connection
 * beyond it is closed once its reply is read, never waited for.
 */
const IDLE_CONNECTIONS = 1024;
/**
 * An idle connection is closed after this: below the shortest common server idle timeout
 * (5 s: Node's and Apache's), so the client usually closes first and the race below is
 * rare. A server's `Keep-Alive: timeout=N` lowers it to N - 1 s. Under load a connection
 * idles for milliseconds.
 */
const IDLE_CONNECTION_MS = 4000;

/**
 * node:http / node:https (by the URL's protocol), not fetch: one small JSON POST per order
 * does not need undici, nor an AbortSignal per call. Each client owns a keep-alive agent
 * per protocol, so consecutive charges reuse their connections.
 *
 * Concurrency: maxSockets is Infinity, so every charge in flight has its own connection at
 * once (bounded by the consumer's prefetch, not here): a charge never
 * queues behind another's latency, which a socket limit would do. Idle ones are bounded
 * (IDLE_CONNECTIONS, IDLE_CONNECTION_MS); 'lifo' reuses the most recently used first, the
 * least likely to have been closed by the server.
 *
 * A connection the server closed while it idled (the keep-alive race): the charge sent on
 * it fails with ECONNRESET or EPIPE before any byte of a reply. It is sent once more, at
 * once, on a new connection of its own (within the same time limit): the failure says
 * nothing about the processor, and waiting in the retry queue (a second at least) for it
 * would only delay the order. It is safe even if the processor did get the first request:
 * the idempotency key (the order id) makes the second call return the first one's answer,
 * never a second charge. Only once: a second failure, or any failure on a new connection
 * or after the reply began, is the processor's and is classified (charge-outcome.ts).
 *
 * Idle connections never hold the process open (Node unrefs them); close() (the payment
 * service's stop) destroys them all.
 */
export function gatewayClient(options: GatewayClientOptions): GatewayClient {
  const agentOptions = { keepAlive: true, maxSockets: Infinity, maxFreeSockets: IDLE_CONNECTIONS, timeout: IDLE_CONNECTION_MS, scheduling: 'lifo' } as const;
  const agents: Readonly<Record<string, HttpAgent>> = { 'http:': new HttpAgent(agentOptions), 'https:': new HttpsAgent(agentOptions) };
  let closed = false;

  /** POST /charges on a kept-alive connection, and once more on a new one if that connection turned out closed (see above). */
  async function post(base: string, orderId: string, payload: string, limit: TimeLimit): Promise<Reply> {
    const url = new URL(`${base}/charges`);
    const agent = agents[url.protocol];
    if (!agent) throw new Error(`the payment gateway's URL ${base} is neither http: nor https:`);
    const headers = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), 'idempotency-key': orderId };
    const first = await Promise.race([postOnce(url, agent, headers, payload, limit), limit.passed]);
    if (first.kind === 'reply') return first;
    if (closed) throw first.error;
    // agent false: a connection of its own, not another idle one that may be closed too
    const again = await Promise.race([postOnce(url, false, headers, payload, limit), limit.passed]);
    if (again.kind === 'reply') return again;
    throw again.error;
  }

  return {
    async charge({ orderId, amount, attempt }) {
      const what = `charging order ${orderId} (attempt ${attempt})`;
      if (closed) throw new DependencyUnavailableError(`${what}: the payment gateway client is closed (the payment service is stopping)`);
      const limit = new TimeLimit(options.timeoutMs);
      const ended = options.meter?.begin();
      try {
        let base: string;
        try {
          base = await Promise.race([Promise.resolve(options.baseUrl()), limit.passed]);
        } catch (err) {
          throw new DependencyUnavailableError(`${what}: the payment gateway's address is not known yet (${(err as Error).message})`, { cause: err });
        }
        let reply: Reply;
        try {
          reply = await post(base, orderId, JSON.stringify({ orderId, amount: { amount: amount.amount, currency: amount.currency } }), limit);
        } catch (err) {
          throw failureOf(readNoReply(err as Error, base, options.timeoutMs), what, err);
        }
        const read = readReply(orderId, reply.status, reply.body);
        if (read.kind !== 'answer') throw failureOf(read, what);
        ended?.('answered');
        return read.answer;
      } catch (err) {
        ended?.(err instanceof DependencyUnavailableError ? 'overloaded' : 'other');
        throw err;
      } finally {
        limit.end();
      }
    },
    close() {
      closed = true;
      for (const agent of Object.values(agents)) agent.destroy();
    },
  };
}

/** The processor's whole reply: its status and its body as UTF-8 text. */
interface Reply { readonly kind: 'reply'; readonly status: number; readonly body: string }

/** The request went out on a kept-alive connection that the server had closed: no byte of a reply came. */
interface Stale { readonly kind: 'stale'; readonly error: Error }

/** One POST: the whole reply, or Stale; rejects with node:http's error (ECONNREFUSED, ENOTFOUND, ...) otherwise. */
function postOnce(url: URL, agent: HttpAgent | false, headers: OutgoingHttpHeaders, payload: string, limit: TimeLimit): Promise<Reply | Stale> {
  return new Promise((resolve, reject) => {
    let replied = false;
    // No Accept-Encoding is sent: the reply comes uncompressed and is read as it is.
    const req = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, { method: 'POST', agent, headers }, (res) => {
      replied = true;
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      // decoded once, whole: a character split across chunks stays one character
      res.on('end', () => resolve({ kind: 'reply', status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    limit.watch(req);
    req.on('error', (err: Error & { code?: string }) => {
      if (req.reusedSocket && !replied && (err.code === 'ECONNRESET' || err.code === 'EPIPE')) resolve({ kind: 'stale', error: err });
      else reject(err);
    });
    req.end(payload);
  });
}

/** One charge's time limit, over all of it: the wait for the address, connecting, sending, reading the whole reply. */
class TimeLimit {
  /** Rejects with a ChargeTimeoutError when the time is up; raced against each step. */
  readonly passed: Promise<never>;
  readonly #timer: NodeJS.Timeout;
  #request: ClientRequest | undefined;
  #expired: ChargeTimeoutError | undefined;

  constructor(ms: number) {
    let expire!: (error: Error) => void;
    this.passed = new Promise<never>((_, reject) => { expire = reject; });
    this.passed.catch(() => undefined); // the step racing it reports it
    this.#timer = setTimeout(() => {
      this.#expired = new ChargeTimeoutError(`the call's ${ms} ms ran out`);
      expire(this.#expired);
      this.#request?.destroy(this.#expired);
    }, ms);
  }

  /**
   * The request in flight now: destroyed if the time runs out (or has). Destroyed, not
   * abandoned: its connection, with a late reply maybe on its way, must never carry another charge.
   */
  watch(request: ClientRequest): void {
    this.#request = request;
    if (this.#expired) request.destroy(this.#expired);
  }

  end(): void {
    clearTimeout(this.#timer);
  }
}
