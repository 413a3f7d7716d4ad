// A simulated card processor as a real HTTP server (node:http): POST /charges with an
// Idempotency-Key answers after a latency with an approval or a decline. One key, one
// charge, one answer, however often and however concurrently it is sent; a key reused
// with another body is refused (422). Injected faults (503s, hangs) never create a charge.
// Like a real processor it remembers a key for a window after its last call (24 h by
// default, as card processors document theirs), then forgets it. Unlike one, it keeps its
// keys in memory: past maxKeys it forgets the least recently called first, so a process
// that embeds it under sustained load holds a bounded number, not every order it charged
// (a restart forgets them all anyway).
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from '../../runtime/config.ts';
import { DECLINE_REASON, faultOf, paymentOutcome } from './outcome.ts';

export interface ProviderSettings {
  /** How long every answer takes. */
  readonly latencyMs: number;
  /** Share of charges declined, 0..1 (a pure function of seed and order id with a seed). */
  readonly failureRate: number;
  /** Share of calls answered 503 without charging, 0..1. */
  readonly errorRate: number;
  /** Share of calls that never answer (past any client timeout) and charge nothing, 0..1. */
  readonly timeoutRate: number;
  /**
   * Charges processed at once; those beyond wait their turn, so that past capacity ÷ latency
   * charges a second more calls only mean longer answers, as at a processor at its limit. 0: any number.
   */
  readonly capacity: number;
  /** Set: declines and faults are deterministic; unset: random. */
  readonly seed: string | undefined;
}

export interface Money { readonly amount: number; readonly currency: string }

export interface ChargeAnswer {
  readonly chargeId: string;
  readonly orderId: string;
  readonly status: 'SUCCEEDED' | 'DECLINED';
  readonly reason?: string;
}

export interface ChargeRecord {
  readonly idempotencyKey: string;
  readonly chargeId: string;
  readonly orderId: string;
  readonly amount: Money;
  /** PROCESSING until the latency has passed. */
  readonly status: 'PROCESSING' | 'SUCCEEDED' | 'DECLINED';
  readonly reason?: string;
  /** Every call made with this key, faulted ones included. */
  readonly calls: number;
  readonly createdAt: string;
}

export interface ProviderOptions {
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** 0: any free port. */
  readonly port: number;
  readonly settings: ProviderSettings;
  /** How long a call drawn to hang is held before its socket is destroyed; default 10 min. */
  readonly hangMs?: number;
  /** How long a key is remembered after its last call ends (the idempotency window); default 24 h. */
  readonly keyRetentionMs?: number;
  /** The most keys remembered (about 850 bytes of heap each); past it the least recently called are forgotten first, never one with a call in flight. Default 50,000. */
  readonly maxKeys?: number;
}

/** Its settings and memory limits from the PAYMENT_* configuration: the standalone process and the one the payment service embeds alike. */
export function providerOptionsOf(payment: Config['payment']): Pick<ProviderOptions, 'settings' | 'keyRetentionMs' | 'maxKeys'> {
  return {
    settings: {
      latencyMs: payment.latencyMs,
      failureRate: payment.failureRate,
      errorRate: payment.errorRate,
      timeoutRate: payment.timeoutRate,
      capacity: payment.capacity,
      seed: payment.seed,
    },
    keyRetentionMs: payment.providerKeyHours * 3600_000,
    maxKeys: payment.providerMaxKeys,
  };
}

export const DEFAULT_KEY_RETENTION_MS = 24 * 3600_000;
export const DEFAULT_MAX_KEYS = 50_000;
/** The most time between two sweeps for forgotten keys. */
const SWEEP_MAX_MS = 60_000;

export interface PaymentProvider {
  /** e.g. http://127.0.0.1:8090 */
  readonly url: string;
  settings(): ProviderSettings;
  update(changes: Partial<Omit<ProviderSettings, 'seed'>>): ProviderSettings;
  /** The charges whose keys it still remembers (see keyRetentionMs). */
  charges(): ChargeRecord[];
  /** Calls on /charges not answered yet. */
  inFlight(): number;
  /** Keys forgotten before their window ended, to stay within maxKeys. */
  forgottenEarly(): number;
  stop(): Promise<void>;
}

interface Charge {
  readonly bodyKey: string;
  record: ChargeRecord;
  readonly answer: Promise<ChargeAnswer>;
}

interface KeyState {
  calls: number;
  charge?: Charge;
  /** Calls with this key not answered yet: a key is never forgotten under one. */
  open: number;
  /** When its last call started or ended. */
  lastCallAt: number;
}

class HttpProblem extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

const MAX_BODY = 64 * 1024;

export async function startPaymentProvider(options: ProviderOptions): Promise<PaymentProvider> {
  let settings: ProviderSettings = checkSettings({ ...options.settings });
  const processing = new Processing();
  const keys = new Map<string, KeyState>();
  const timers = new Set<NodeJS.Timeout>();
  let inFlight = 0;
  const hangMs = options.hangMs ?? 600_000;
  const retentionMs = options.keyRetentionMs ?? DEFAULT_KEY_RETENTION_MS;
  const maxKeys = options.maxKeys ?? DEFAULT_MAX_KEYS;
  let forgottenEarly = 0;

  // `keys` is kept in the order of each key's latest call (a call moves its key to the
  // end), so a sweep stops at the first key still inside its window.
  const touch = (key: string, state: KeyState) => {
    state.lastCallAt = Date.now();
    keys.delete(key);
    keys.set(key, state);
    if (keys.size > maxKeys) forgetOldest();
  };
  const forgetOldest = () => {
    for (const [key, state] of keys) {
      if (keys.size <= maxKeys) return;
      if (state.open > 0) continue;
      keys.delete(key);
      forgottenEarly += 1;
    }
  };
  const forgetExpired = () => {
    const before = Date.now() - retentionMs;
    for (const [key, state] of keys) {
      if (state.lastCallAt > before) break;
      if (state.open === 0) keys.delete(key);
    }
  };
  const sweeper = setInterval(forgetExpired, Math.min(SWEEP_MAX_MS, Math.max(10, retentionMs / 4)));
  sweeper.unref();

  const sleep = (ms: number) => new Promise<void>((resolve) => {
    if (ms <= 0) return resolve();
    const t = setTimeout(() => { timers.delete(t); resolve(); }, ms);
    t.unref();
    timers.add(t);
  });

  async function charge(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const key = header(req, 'idempotency-key');
    if (!key) throw new HttpProblem(400, 'the Idempotency-Key header is required');
    const body = parseCharge(await readBody(req));
    const state = keys.get(key) ?? { calls: 0, open: 0, lastCallAt: 0 };
    state.open += 1;
    touch(key, state);
    try {
      await answerCall(key, state, body, res);
    } finally {
      state.open -= 1;
      if (keys.get(key) === state) touch(key, state);
    }
  }

  async function answerCall(key: string, state: KeyState, body: { orderId: string; amount: Money }, res: ServerResponse): Promise<void> {
    const bodyKey = JSON.stringify([body.orderId, body.amount.amount, body.amount.currency]);
    state.calls += 1;
    if (state.charge) state.charge.record = { ...state.charge.record, calls: state.calls };
    if (state.charge && state.charge.bodyKey !== bodyKey) {
      throw new HttpProblem(422, `Idempotency-Key ${key} was used for another charge (order ${state.charge.record.orderId})`);
    }
    const now = settings;
    const fault = faultOf(key, state.calls, now.seed, now.errorRate, now.timeoutRate);
    if (fault === 'timeout') {
      // Held open: the client's timeout decides. Destroyed later so nothing leaks.
      const t = setTimeout(() => { timers.delete(t); res.destroy(); }, hangMs);
      t.unref();
      timers.add(t);
      res.on('close', () => { clearTimeout(t); timers.delete(t); });
      return new Promise<void>((resolve) => res.on('close', resolve));
    }
    if (fault === 'error') {
      await sleep(now.latencyMs);
      throw new HttpProblem(503, 'the processor is unavailable (injected fault); nothing was charged');
    }

    if (!state.charge) {
      // The charge exists from now on: a call with the same key arriving while it is
      // processed waits for this one's answer instead of charging again.
      const chargeId = randomUUID();
      const declined = paymentOutcome(body.orderId, now.seed, now.failureRate) === 'FAILED';
      const created: Charge = {
        bodyKey,
        record: { idempotencyKey: key, chargeId, orderId: body.orderId, amount: body.amount, status: 'PROCESSING', calls: state.calls, createdAt: new Date().toISOString() },
        answer: processing.run(now.capacity, () => sleep(now.latencyMs)).then((): ChargeAnswer => {
          const answer: ChargeAnswer = declined
            ? { chargeId, orderId: body.orderId, status: 'DECLINED', reason: DECLINE_REASON }
            : { chargeId, orderId: body.orderId, status: 'SUCCEEDED' };
          created.record = { ...created.record, status: answer.status, ...(answer.reason ? { reason: answer.reason } : {}) };
          return answer;
        }),
      };
      state.charge = created;
      return send(res, 200, await created.answer);
    }
    // A replay: the same answer, after the latency (and after the first call's own answer).
    const [answer] = await Promise.all([state.charge.answer, sleep(now.latencyMs)]);
    send(res, 200, answer, { 'idempotent-replayed': 'true' });
  }

  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const route = `${req.method} ${path}`;
    const handle = async () => {
      switch (route) {
        case 'POST /charges':
          inFlight += 1;
          try {
            return await charge(req, res);
          } finally {
            inFlight -= 1;
          }
        case 'GET /health':
          return send(res, 200, { status: 'ok' });
        case 'GET /admin/settings':
          return send(res, 200, settings);
        case 'PUT /admin/settings': {
          const changes = JSON.parse((await readBody(req)) || '{}') as Record<string, unknown>;
          for (const k of Object.keys(changes)) {
            if (!['latencyMs', 'failureRate', 'errorRate', 'timeoutRate', 'capacity'].includes(k)) throw new HttpProblem(400, `unknown setting ${k}`);
          }
          return send(res, 200, provider.update(changes as Partial<ProviderSettings>));
        }
        case 'GET /admin/charges':
          return send(res, 200, { charges: provider.charges(), inFlight, forgottenEarly });
        default:
          throw new HttpProblem(404, `no route ${route}`);
      }
    };
    handle().catch((err: unknown) => {
      if (res.headersSent || res.destroyed) return;
      const status = err instanceof HttpProblem ? err.status : err instanceof SyntaxError ? 400 : 500;
      send(res, status, { error: (err as Error).message });
    });
  });
  server.keepAliveTimeout = 30_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => { server.off('error', reject); resolve(); });
  });
  const address = server.address() as AddressInfo;

  const provider: PaymentProvider = {
    url: `http://${address.address}:${address.port}`,
    settings: () => settings,
    update(changes) {
      settings = checkSettings({ ...settings, ...changes, seed: settings.seed });
      return settings;
    },
    charges: () => [...keys.values()].flatMap((s) => (s.charge ? [s.charge.record] : [])),
    inFlight: () => inFlight,
    forgottenEarly: () => forgottenEarly,
    async stop() {
      clearInterval(sweeper);
      for (const t of timers) clearTimeout(t);
      timers.clear();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
  return provider;
}

function checkSettings(s: ProviderSettings): ProviderSettings {
  const inRange = (name: keyof ProviderSettings, max: number) => {
    const v = s[name];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > max) throw new HttpProblem(400, `${name} must be a number between 0 and ${max} (got ${JSON.stringify(v)})`);
  };
  inRange('latencyMs', 600_000);
  for (const rate of ['failureRate', 'errorRate', 'timeoutRate'] as const) inRange(rate, 1);
  inRange('capacity', 100_000);
  if (!Number.isInteger(s.capacity)) throw new HttpProblem(400, `capacity must be a whole number (got ${s.capacity})`);
  return s;
}

/** New charges being processed, and those waiting their turn (first come, first served) while capacity is reached. */
class Processing {
  #busy = 0;
  readonly #waiting: (() => void)[] = [];

  /** Runs `work` once fewer than `capacity` charges are processed (at once when capacity is 0). */
  async run<T>(capacity: number, work: () => Promise<T>): Promise<T> {
    // a charge that waited is handed the finished one's place: #busy stays as it is
    if (capacity > 0 && this.#busy >= capacity) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    else this.#busy += 1;
    try {
      return await work();
    } finally {
      const next = this.#waiting.shift();
      if (next) next();
      else this.#busy -= 1;
    }
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  const value = Array.isArray(v) ? v[0] : v;
  return value?.trim() || undefined;
}

function parseCharge(text: string): { orderId: string; amount: Money } {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new HttpProblem(400, 'the body is not JSON');
  }
  const b = body as { orderId?: unknown; amount?: { amount?: unknown; currency?: unknown } } | null;
  if (!b || typeof b.orderId !== 'string' || !b.orderId
    || typeof b.amount !== 'object' || b.amount === null
    || !Number.isInteger(b.amount.amount) || (b.amount.amount as number) < 0
    || typeof b.amount.currency !== 'string' || !/^[A-Z]{3}$/.test(b.amount.currency)) {
    throw new HttpProblem(400, 'the body must be {"orderId": string, "amount": {"amount": integer >= 0, "currency": "XXX"}}');
  }
  return { orderId: b.orderId, amount: { amount: b.amount.amount as number, currency: b.amount.currency } };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new HttpProblem(413, `the body exceeds ${MAX_BODY} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}
