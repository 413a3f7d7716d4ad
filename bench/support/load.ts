// Offers orders over HTTP as shop clients do, each with its own Idempotency-Key:
// closed loop (N clients, each posting its next order when the last one is answered)
// or open loop (a fixed rate, whatever the answers take). Records every request:
// when it was sent, how long the answer took, its status, and the order id of a 202.
// A failed request is recorded and not retried: the figure is what clients saw. A
// closed-loop client refused with Retry-After (503 when the api sheds load) waits that
// long before its next order. Requests go over node:http with kept-alive connections:
// fetch (undici) cost the bench about half of its CPU, taken from the machine it measures.
import { randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Load } from './options.ts';

export interface Request {
  /** ms since the epoch, just before the request was sent. */
  readonly sentAt: number;
  readonly ms: number;
  /** HTTP status; 0 for no answer (network error, timeout). */
  readonly status: number;
  readonly orderId?: string;
}

export interface Driver {
  readonly requests: readonly Request[];
  /** Requests sent so far (answered or not). */
  offered(): number;
  /** Runs the load until `until` (ms since the epoch); resolves when every request sent was answered. */
  run(until: number): Promise<void>;
}

const REQUEST_TIMEOUT_MS = 30_000;

export function driver(apiUrl: string, load: Load, products: readonly string[], tag: string): Driver {
  const requests: Request[] = [];
  let sent = 0;
  /** Only the first few refusals are printed: enough to see what went wrong. */
  let refusals = 0;
  const customerId = randomUUID();
  const ordersUrl = new URL(`${apiUrl}/orders`);
  const agent = new Agent({ keepAlive: true, maxSockets: load.kind === 'closed' ? load.clients : Infinity });

  /** Resolves with the seconds a refusal (503, 429) asked the client to wait, 0 otherwise. */
  const postOne = async (): Promise<number> => {
    const i = sent++;
    // A line or two over the catalog, quantities 1–3: every order payable, none short of stock
    // (one line on a one-product catalog: a product appears once in an order).
    const items = [{ productId: products[i % products.length], quantity: 1 + (i % 3) }];
    if (i % 2 === 0 && products.length > 1) items.push({ productId: products[(i + 1) % products.length], quantity: 1 });
    const body = JSON.stringify({ customerId, email: `bench-${i}@example.com`, items });
    const sentAt = Date.now();
    const t0 = performance.now();
    try {
      const res = await post(ordersUrl, agent, { 'content-type': 'application/json', 'idempotency-key': `${tag}-${i}` }, body);
      const orderId = res.status === 202 ? (JSON.parse(res.text) as { orderId: string }).orderId : undefined;
      requests.push({ sentAt, ms: performance.now() - t0, status: res.status, orderId });
      if (res.status !== 202 && ++refusals <= 5) console.error(`  POST /orders #${i}: ${res.status} ${res.text.slice(0, 200)}`);
      return res.status === 202 ? 0 : Number(res.retryAfter ?? 0) || 0;
    } catch (err) {
      requests.push({ sentAt, ms: performance.now() - t0, status: 0 });
      if (++refusals <= 5) console.error(`  POST /orders #${i} got no answer: ${(err as Error).message}`);
      return 0;
    }
  };

  return {
    requests,
    offered: () => sent,
    async run(until) {
      try {
        await offer(until);
      } finally {
        agent.destroy();
      }
    },
  };

  async function offer(until: number): Promise<void> {
    if (load.kind === 'closed') {
      await Promise.all(Array.from({ length: load.clients }, async () => {
        while (Date.now() < until) {
          // a client told to come back later (the api shedding load) waits as told, as a well-behaved one does
          const retryAfter = await postOne();
          if (retryAfter > 0) await sleep(Math.min(retryAfter * 1000, Math.max(0, until - Date.now())));
        }
      }));
      return;
    }
    // Open loop: the i-th order is due at start + i / rate, whether or not earlier ones were answered.
    const inFlight = new Set<Promise<unknown>>();
    const start = Date.now();
    for (let i = 0; ; i++) {
      const due = start + (i * 1000) / load.rate;
      if (due >= until) break;
      const wait = due - Date.now();
      if (wait > 0) await sleep(wait);
      const pending = postOne();
      inFlight.add(pending);
      void pending.finally(() => inFlight.delete(pending));
    }
    await Promise.all(inFlight);
  }
}

/** One POST; resolves with the answer's status, body and Retry-After, rejects when none came (within REQUEST_TIMEOUT_MS of silence). */
function post(url: URL, agent: Agent, headers: Record<string, string>, body: string): Promise<{ status: number; text: string; retryAfter: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers: { ...headers, 'content-length': Buffer.byteLength(body) }, timeout: REQUEST_TIMEOUT_MS }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => { text += chunk; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text, retryAfter: res.headers['retry-after'] }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}
