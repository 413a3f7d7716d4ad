// From what the run recorded to the figures it reports: throughput in the load window,
// latency distributions (end to end, per hop, per second of the run), and rates per
// completed order. Pure functions: the same records always give the same figures.
import type { Request } from './load.ts';

export interface Distribution {
  readonly count: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
}

/** Nearest-rank percentiles, in the values' unit, rounded to 0.1. */
export function distribution(values: readonly number[]): Distribution {
  const sorted = [...values].sort((a, b) => a - b);
  const round = (v: number) => Math.round(v * 10) / 10;
  const rank = (q: number) => (sorted.length ? round(sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)]) : 0);
  const mean = sorted.length ? round(sorted.reduce((a, b) => a + b, 0) / sorted.length) : 0;
  return { count: sorted.length, p50: rank(0.5), p90: rank(0.9), p99: rank(0.99), max: sorted.length ? round(sorted.at(-1)!) : 0, mean };
}

/** The hops of an order's way, in order; each from the time of one step to the next. */
export const HOPS = [
  { name: 'POST → OrderCreated', from: 'POST', to: 'OrderCreated' },
  { name: 'OrderCreated → OrderPersisted', from: 'OrderCreated', to: 'OrderPersisted' },
  { name: 'OrderCreated → OrderRejected', from: 'OrderCreated', to: 'OrderRejected' },
  { name: 'OrderPersisted → PaymentSucceeded', from: 'OrderPersisted', to: 'PaymentSucceeded' },
  { name: 'OrderPersisted → PaymentFailed', from: 'OrderPersisted', to: 'PaymentFailed' },
  { name: 'PaymentSucceeded → InvoiceCreated', from: 'PaymentSucceeded', to: 'InvoiceCreated' },
  { name: 'PaymentFailed → OrderCancelled', from: 'PaymentFailed', to: 'OrderCancelled' },
  { name: 'terminal → last e-mail sent', from: 'terminal', to: 'done' },
] as const;

const TERMINAL = ['InvoiceCreated', 'OrderCancelled', 'OrderRejected'] as const;
const PATHS = {
  paid: ['OrderCreated', 'OrderPersisted', 'PaymentSucceeded', 'InvoiceCreated'],
  cancelled: ['OrderCreated', 'OrderPersisted', 'PaymentFailed', 'OrderCancelled'],
  rejected: ['OrderCreated', 'OrderRejected'],
} as const;

export interface OrderLatency {
  readonly orderId: string;
  readonly sentAt: number;
  readonly doneAt: number;
  readonly path: keyof typeof PATHS | 'unknown';
  /** Step → ms since the epoch: POST, each event, terminal, done. */
  readonly steps: ReadonlyMap<string, number>;
}

/** Every completed order of this run with its steps' times. */
export function orderLatencies(requests: readonly Request[], completions: ReadonlyMap<string, number>, events: ReadonlyMap<string, ReadonlyMap<string, number>>): OrderLatency[] {
  const out: OrderLatency[] = [];
  for (const r of requests) {
    if (!r.orderId) continue;
    const doneAt = completions.get(r.orderId);
    if (doneAt === undefined) continue;
    const of = events.get(r.orderId) ?? new Map<string, number>();
    const steps = new Map<string, number>([['POST', r.sentAt], ...of]);
    const terminal = TERMINAL.map((t) => of.get(t)).find((t) => t !== undefined);
    if (terminal !== undefined) steps.set('terminal', terminal);
    // The completion time is the later of the terminal event and the last e-mail: that hop is never negative.
    steps.set('done', doneAt);
    const path = (Object.keys(PATHS) as (keyof typeof PATHS)[]).find((p) => PATHS[p].every((step) => of.has(step))) ?? 'unknown';
    out.push({ orderId: r.orderId, sentAt: r.sentAt, doneAt, path, steps });
  }
  return out;
}

export function hopDistributions(orders: readonly OrderLatency[]): { hop: string; latencyMs: Distribution }[] {
  return HOPS.map((h) => ({
    hop: h.name,
    latencyMs: distribution(orders.flatMap((o) => {
      const from = o.steps.get(h.from);
      const to = o.steps.get(h.to);
      return from !== undefined && to !== undefined ? [to - from] : [];
    })),
  })).filter((h) => h.latencyMs.count > 0);
}

/** Per outcome: mean end-to-end latency, and the sum of its hops' means (they agree when every hop is measured). */
export function pathCheck(orders: readonly OrderLatency[]): { path: string; orders: number; meanEndToEndMs: number; sumOfHopMeansMs: number }[] {
  return (Object.keys(PATHS) as (keyof typeof PATHS)[]).flatMap((path) => {
    const of = orders.filter((o) => o.path === path);
    if (!of.length) return [];
    const steps = ['POST', ...PATHS[path], 'done'];
    const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
    const hopMeans = steps.slice(1).map((to, i) => mean(of.map((o) => o.steps.get(to)! - o.steps.get(steps[i])!)));
    return [{
      path, orders: of.length,
      meanEndToEndMs: Math.round(mean(of.map((o) => o.doneAt - o.sentAt))),
      sumOfHopMeansMs: Math.round(hopMeans.reduce((a, b) => a + b, 0)),
    }];
  });
}

export interface SecondBucket {
  /** Seconds since the load started. */
  readonly second: number;
  readonly completed: number;
  readonly p50Ms: number | null;
  readonly p99Ms: number | null;
}

/** Completions per second of the run (by completion time), with their end-to-end latency. */
export function perSecond(orders: readonly OrderLatency[], start: number): SecondBucket[] {
  const buckets = new Map<number, number[]>();
  for (const o of orders) {
    const second = Math.floor((o.doneAt - start) / 1000);
    const bucket = buckets.get(second) ?? [];
    bucket.push(o.doneAt - o.sentAt);
    buckets.set(second, bucket);
  }
  const last = Math.max(0, ...buckets.keys());
  return Array.from({ length: last + 1 }, (_, second) => {
    const values = buckets.get(second) ?? [];
    const d = distribution(values);
    return { second, completed: values.length, p50Ms: values.length ? d.p50 : null, p99Ms: values.length ? d.p99 : null };
  });
}

/**
 * Completions per second in each whole minute of the window, by completion time: a run that
 * slows as it goes (a table bloating, a query growing with the run) shows it here.
 */
export function perMinute(buckets: readonly SecondBucket[], windowSeconds: number): number[] {
  return Array.from({ length: Math.floor(windowSeconds / 60) }, (_, minute) =>
    perSecondOf(buckets.filter((b) => b.second >= minute * 60 && b.second < (minute + 1) * 60).reduce((n, b) => n + b.completed, 0), 60));
}

export function statusCounts(requests: readonly Request[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of requests) {
    const key = r.status === 0 ? 'no answer' : String(r.status);
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

export const perSecondOf = (count: number, seconds: number) => Math.round((count / seconds) * 10) / 10;

/** What a fault in the window (--fault) did to the orders, from the records alone. */
export interface FaultFigures {
  /** Seconds into the window: the fault began; the server answered again. */
  readonly injectedAtSecond: number;
  readonly restoredAtSecond: number;
  /** Completed orders/s over the (up to) 10 s before the fault: the rate to get back to. */
  readonly completedPerSecondBefore: number;
  /** POSTs sent from the fault's start until the server answered again (a restart stops it some time after it starts): answered 202, refused (503), other answers. */
  readonly untilAnswered: { readonly accepted: number; readonly refused: number; readonly other: number };
  /** Seconds from the server answering again to the first 5 s whose completions average 90% of the rate before; null: not within the run. */
  readonly recoveredAfterSeconds: number | null;
}

export const RECOVERY_SHARE = 0.9;
export const RECOVERY_SPAN_S = 5;

export function faultFigures(requests: readonly Request[], buckets: readonly SecondBucket[], start: number, injectedAt: number, restoredAt: number): FaultFigures {
  const second = (at: number) => (at - start) / 1000;
  const injected = Math.floor(second(injectedAt));
  const restored = Math.ceil(second(restoredAt));
  const completedIn = (from: number, to: number) => buckets.filter((b) => b.second >= from && b.second < to).reduce((n, b) => n + b.completed, 0);
  const beforeFrom = Math.max(0, injected - 10);
  const before = injected > beforeFrom ? completedIn(beforeFrom, injected) / (injected - beforeFrom) : 0;
  let recoveredAfterSeconds: number | null = null;
  for (let s = restored; s + RECOVERY_SPAN_S <= buckets.length; s++) {
    if (completedIn(s, s + RECOVERY_SPAN_S) / RECOVERY_SPAN_S >= RECOVERY_SHARE * before) {
      recoveredAfterSeconds = s - restored;
      break;
    }
  }
  const down = requests.filter((r) => r.sentAt >= injectedAt && r.sentAt < restoredAt);
  return {
    injectedAtSecond: Math.round(second(injectedAt) * 10) / 10,
    restoredAtSecond: Math.round(second(restoredAt) * 10) / 10,
    completedPerSecondBefore: Math.round(before * 10) / 10,
    untilAnswered: {
      accepted: down.filter((r) => r.orderId).length,
      refused: down.filter((r) => r.status === 503).length,
      other: down.filter((r) => !r.orderId && r.status !== 503).length,
    },
    recoveredAfterSeconds,
  };
}
