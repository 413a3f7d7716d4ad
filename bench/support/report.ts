// What a run of the end-to-end benchmark found, as one record (written as JSON) and
// as Markdown tables for people (printed, and written next to the JSON).
import { perMinute, RECOVERY_SHARE, RECOVERY_SPAN_S, type Distribution, type FaultFigures, type SecondBucket } from './figures.ts';
import type { Fault } from './options.ts';
import type { BacklogSample, QueueSample } from './observe.ts';
import type { RawCapacity } from './raw-capacity.ts';

export interface CpuRow {
  /** A process group: ours (the shop's services, per process in per-service mode), PostgreSQL, RabbitMQ... */
  readonly group: string;
  readonly seconds: number;
  /** CPU milliseconds per order completed in the load window. */
  readonly msPerOrder: number;
  /** CPU milliseconds per order accepted in the load window (lower than per completed order when a backlog built up). */
  readonly msPerAcceptedOrder: number;
  /** Share of the machine's busy CPU time in the window. */
  readonly sharePercent: number;
}

export interface Result {
  readonly settings: {
    readonly mode: string;
    readonly load: string;
    readonly seconds: number;
    /** The load offered before the window, counted in no figure (--warmup); undefined without one. */
    readonly warmup?: { readonly seconds: number; readonly offered: number; readonly accepted: number };
    readonly drainSeconds: number;
    /** Environment given to the system's processes (the runtime's defaults apply to the rest). */
    readonly system: Readonly<Record<string, string>>;
    /** How many products the orders drew on (--products; the seed catalog's five by default). */
    readonly products: number;
    readonly commandLine: string;
  };
  readonly machine: { readonly cores: number; readonly cpuModel: string; readonly node: string; readonly date: string; readonly commit: string };
  readonly orders: {
    readonly windowSeconds: number;
    readonly offered: number;
    readonly accepted: number;
    readonly acceptedPerSecond: number;
    /** Completed within the load window (by completion time). */
    readonly completedInWindow: number;
    readonly completedPerSecond: number;
    /** Accepted by the window's end but not yet complete then. */
    readonly backlogAtWindowEnd: number;
    /** Every completion from the load's start to the last one: what the system sustained when it fell behind. */
    readonly completedPerSecondOverall: number;
    /** Completed by the end of the drain, of every accepted order. */
    readonly completed: number;
    readonly incomplete: number;
    readonly drainedSeconds: number;
    readonly outcomes: Readonly<Record<string, number>>;
  };
  readonly post: { readonly statuses: Readonly<Record<string, number>>; readonly latencyMs: Distribution };
  readonly endToEndMs: Distribution;
  readonly hops: readonly { readonly hop: string; readonly latencyMs: Distribution }[];
  readonly pathCheck: readonly { readonly path: string; readonly orders: number; readonly meanEndToEndMs: number; readonly sumOfHopMeansMs: number }[];
  readonly cpu: { readonly windowSeconds: number; readonly machineBusySeconds: number; readonly machineCapacitySeconds: number; readonly rows: readonly CpuRow[] };
  readonly memory: {
    readonly peakRssMiB: number;
    /** Per-service mode: the largest single process at its peak. */
    readonly largest?: { readonly process: string; readonly peakRssMiB: number };
    readonly perProcess: Readonly<Record<string, number>>;
  };
  readonly queues: {
    readonly pollEverySeconds: number;
    readonly peakTotal: number;
    readonly meanTotal: number;
    readonly top: readonly { readonly queue: string; readonly peak: number; readonly mean: number }[];
    /** Times in ms since the load started. */
    readonly samples: readonly QueueSample[];
    /** Waiting in the database instead: events not yet published, e-mails not yet sent. */
    readonly outboxPending: { readonly peak: number; readonly mean: number };
    readonly emailsPending: { readonly peak: number; readonly mean: number };
    readonly databaseSamples: readonly BacklogSample[];
  };
  readonly postgres: { readonly commitsPerSecond: number; readonly rawCommitsPerSecond?: number; readonly sharePercent?: number };
  readonly broker: {
    /** The rates are totals over this span (the load's start to the last completion): the broker's statistics lag by seconds. */
    readonly measuredOverSeconds: number;
    /** null when the broker's statistics were reset during the run. */
    readonly perCompletedOrder: Readonly<Record<string, number | null>>;
    readonly publishPerSecond: number | null;
    readonly deliverPerSecond: number | null;
    readonly ackPerSecond: number | null;
    /** Whole run (the warm-up included), per order accepted in it: which messages the broker carries. */
    readonly publishedPerOrderByExchange: Readonly<Record<string, number>>;
    readonly rawMessagesPerSecond?: number;
    /** The broker's own stamped samples of its vhost counters: [ms since the load started, value]. */
    readonly counterSamples: Readonly<Record<string, readonly (readonly [number, number])[]>>;
    /** Deliveries (each an enqueue, a delivery and an ack on a quorum queue, as in the raw step) as a share of the raw rate. */
    readonly sharePercent?: number;
  };
  readonly raw?: RawCapacity;
  /** What went wrong around the run (a restart of PostgreSQL or RabbitMQ) and spoils its figures. */
  readonly disturbances: readonly string[];
  readonly perSecond: readonly SecondBucket[];
  /** --fault: what was injected, and what it did to the orders. */
  readonly fault?: Fault & FaultFigures;
}

const ms = (v: number) => (v >= 10_000 ? `${(v / 1000).toFixed(1)} s` : `${Math.round(v)} ms`);
const num = (v: number | null, digits = 1) => (v === null || !Number.isFinite(v) ? 'n/a' : v.toLocaleString('en-US', { maximumFractionDigits: digits }));
const table = (head: readonly string[], rows: readonly (readonly string[])[]) =>
  [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');

/** The per-minute throughput, for a run of two minutes or more, with the last minute against the first. */
export function minutesRow(minutes: readonly number[]): string[][] {
  if (minutes.length < 2) return [];
  const first = minutes[0]!;
  const change = first ? Math.round(((minutes.at(-1)! - first) / first) * 100) : 0;
  return [['completed in each minute of the window', `${minutes.map((m) => num(m)).join(' / ')} orders/s (the last ${change >= 0 ? '+' : '−'}${Math.abs(change)}% against the first)`]];
}

function faultSection(f: NonNullable<Result['fault']>): string {
  const what = {
    'postgres-restart': 'PostgreSQL restarted (`pg_ctlcluster … restart`)',
    'postgres-silent': `The system's path to PostgreSQL silenced through a proxy (half-open: the connections open then stayed silent for good, new ones for ${num(f.downSeconds)} s; the server itself kept running)`,
    'rabbitmq-restart': `RabbitMQ's app stopped for ${num(f.downSeconds)} s (\`rabbitmqctl stop_app\`, then \`start_app\`)`,
    'rabbitmq-alarm': `RabbitMQ's disk alarm (\`rabbitmqctl set_disk_free_limit\` above the free space: every publishing connection blocked), held ${num(f.downSeconds)} s once the broker raised it, then the limit set back`,
  }[f.kind];
  const restored = { 'postgres-restart': 'it answered again', 'postgres-silent': 'new connections passed again', 'rabbitmq-restart': 'it answered again', 'rabbitmq-alarm': 'the alarm cleared' }[f.kind];
  return table(['fault', 'value'], [
    ['injected', `${what} at ${num(f.injectedAtSecond)} s into the window; ${restored} at ${num(f.restoredAtSecond)} s`],
    ['POSTs sent from the fault\'s start until it answered again', `${f.untilAnswered.accepted} accepted, ${f.untilAnswered.refused} refused (503)${f.untilAnswered.other ? `, ${f.untilAnswered.other} other answers` : ''}`],
    ['completed orders/s before the fault (up to 10 s)', num(f.completedPerSecondBefore)],
    [`back to ${Math.round(RECOVERY_SHARE * 100)}% of that (${RECOVERY_SPAN_S} s mean)`, f.recoveredAfterSeconds === null ? 'not within the run' : `${f.recoveredAfterSeconds} s after it answered again`],
  ]);
}

export function markdown(r: Result): string {
  const o = r.orders;
  const e = r.endToEndMs;
  const statuses = Object.entries(r.post.statuses).map(([s, n]) => `${s}: ${n}`).join(', ');
  const share = (v: number | undefined) => (v === undefined ? '' : `, ${num(v)}% of raw`);
  const perOrder = (perSecond: number) => (o.completedPerSecond ? num(perSecond / o.completedPerSecond) : '–');
  const headline = table(['figure', 'value'], [
    ['accepted', `${num(o.acceptedPerSecond)} orders/s (${o.accepted} of ${o.offered} offered)`],
    ['completed in the window', `${num(o.completedPerSecond)} orders/s (${o.completedInWindow}; ${o.backlogAtWindowEnd} accepted but not complete at the window's end)`],
    ['completed from the start to the last completion', `${num(o.completedPerSecondOverall)} orders/s`],
    ...minutesRow(perMinute(r.perSecond, o.windowSeconds)),
    ['completed by the end', `${o.completed} of ${o.accepted}${o.incomplete ? `, ${o.incomplete} incomplete after ${num(o.drainedSeconds, 0)} s drain` : ''} (${Object.entries(o.outcomes).map(([k, v]) => `${v} ${k}`).join(', ')})`],
    ['end-to-end p50 / p90 / p99 / max', `${ms(e.p50)} / ${ms(e.p90)} / ${ms(e.p99)} / ${ms(e.max)}`],
    ['POST p50 / p99', `${ms(r.post.latencyMs.p50)} / ${ms(r.post.latencyMs.p99)} (${statuses})`],
    ['peak RSS, ours', r.memory.largest ? `${num(r.memory.peakRssMiB, 0)} MiB in all (largest: ${r.memory.largest.process} ${num(r.memory.largest.peakRssMiB, 0)} MiB)` : `${num(r.memory.peakRssMiB, 0)} MiB`],
    ['waiting, peak / mean: messages in queues (ready + unacked); events in outboxes; e-mails', `${r.queues.peakTotal} / ${num(r.queues.meanTotal, 0)}; ${r.queues.outboxPending.peak} / ${num(r.queues.outboxPending.mean, 0)}; ${r.queues.emailsPending.peak} / ${num(r.queues.emailsPending.mean, 0)}`],
    ['PostgreSQL transactions/s (bench database)', `${num(r.postgres.commitsPerSecond)} (${perOrder(r.postgres.commitsPerSecond)} per completed order${share(r.postgres.sharePercent)})`],
    [`RabbitMQ publish / deliver / ack per s (vhost, over the ${num(r.broker.measuredOverSeconds, 0)} s from the load's start to the last completion)`,
      `${num(r.broker.publishPerSecond)} / ${num(r.broker.deliverPerSecond)} / ${num(r.broker.ackPerSecond)} (per completed order ${Object.values(r.broker.perCompletedOrder).map((n) => num(n)).join(' / ')}${share(r.broker.sharePercent)})`],
    ['messages published per order, by exchange', Object.entries(r.broker.publishedPerOrderByExchange).map(([x, n]) => `${x} ${num(n, 2)}`).join(', ') || 'n/a'],
  ]);
  const hops = table(['hop', 'orders', 'p50', 'p90', 'p99', 'max', 'mean'],
    r.hops.map((h) => [h.hop, String(h.latencyMs.count), ms(h.latencyMs.p50), ms(h.latencyMs.p90), ms(h.latencyMs.p99), ms(h.latencyMs.max), ms(h.latencyMs.mean)]));
  const check = r.pathCheck.map((p) => `${p.path} (${p.orders}): hop means add up to ${ms(p.sumOfHopMeansMs)}, end-to-end mean ${ms(p.meanEndToEndMs)}`).join('; ');
  const cpu = table(['process', 'CPU s in window', 'CPU ms per completed order', 'per accepted order', 'share of busy CPU'],
    r.cpu.rows.map((c) => [c.group, num(c.seconds, 2), num(c.msPerOrder, 2), num(c.msPerAcceptedOrder, 2), `${num(c.sharePercent)}%`]));
  const queues = r.queues.top.length
    ? table(['queue', 'peak', 'mean'], r.queues.top.map((q) => [q.queue, String(q.peak), num(q.mean)]))
    : '(no queue held a message at any poll)';
  const raw = r.raw
    ? table(['raw capacity', 'measured', 'pipeline', 'share'], [
      [`PostgreSQL: begin; inbox insert; update; outbox insert (jsonb); commit — ${r.raw.postgresClients} clients, synchronous commit`, `${num(r.raw.postgresCommitsPerSecond, 0)} commits/s`, `${num(r.postgres.commitsPerSecond)} tx/s`, `${num(r.postgres.sharePercent ?? 0)}%`],
      [`RabbitMQ: ${r.raw.rabbitmqMessageBytes} B persistent, quorum queue, publish with confirms + consume with ack, at once`, `${num(r.raw.rabbitmqMessagesPerSecond, 0)} msg/s`, `${num(r.broker.deliverPerSecond)} deliveries/s`, r.broker.sharePercent === undefined ? 'n/a' : `${num(r.broker.sharePercent)}%`],
    ])
    : '(raw capacity skipped: --skip-raw)';
  return [
    `# End-to-end benchmark: ${r.settings.mode}`,
    '',
    `\`${r.settings.commandLine}\` — ${r.settings.load}, ${r.settings.seconds} s; ${r.machine.cores} cores (${r.machine.cpuModel}), Node ${r.machine.node}, commit ${r.machine.commit}, ${r.machine.date}.`,
    ...(r.settings.warmup ? [`After a warm-up of ${r.settings.warmup.seconds} s at the same load, counted in no figure below (${r.settings.warmup.offered} orders offered, ${r.settings.warmup.accepted} accepted; the window starts as it ends).`] : []),
    `System settings: ${Object.entries(r.settings.system).map(([k, v]) => `${k}=${v}`).join(' ')} (runtime defaults otherwise). The orders drew on ${r.settings.products} product${r.settings.products === 1 ? '' : 's'}. Completed = terminal event recorded and its e-mails accepted by the SMTP server.`,
    ...r.disturbances.map((d) => `\n**Disturbed run:** ${d}.`),
    '',
    headline,
    ...(r.fault ? ['', '## Fault', '', faultSection(r.fault)] : []),
    '',
    '## Per hop',
    '',
    'From the times in the events (`timeline.order_events.at`: each event\'s own time, stamped by the producing handler inside its transaction just before commit, not when the timeline recorded it); the first hop starts when the client sent the POST, the last ends when the last e-mail was marked sent (`mail.emails.sent_at`, after the SMTP server accepted it; 0 when the e-mails were sent before the terminal event).',
    '',
    hops,
    '',
    `Check: ${check}.`,
    '',
    '## CPU in the load window',
    '',
    `${num(r.cpu.windowSeconds)} s window: the machine was busy ${num(r.cpu.machineBusySeconds)} CPU s of ${num(r.cpu.machineCapacitySeconds)} (${num((100 * r.cpu.machineBusySeconds) / r.cpu.machineCapacitySeconds)}%). Per order: divided by the ${r.orders.completedInWindow} orders completed, or the ${r.orders.accepted} accepted, in the window.`,
    '',
    cpu,
    '',
    `## Queues in the window, by mean depth (management API every ${r.queues.pollEverySeconds} s; the broker refreshes its figures every 5 s)`,
    '',
    queues,
    '',
    '## Raw capacity of this machine, same run, before the load',
    '',
    raw,
    '',
  ].join('\n');
}
