// Everything the bench watches besides the orders, over one load window: CPU by
// process group and our processes' memory (/proc, every 500 ms), queue depths and the
// database's backlog (every 2 s), the bench database's commits, and the vhost's
// message counters (as totals over the run: RabbitMQ's statistics lag the traffic by
// seconds, too much for a windowed delta). CPU groups: our processes, PostgreSQL (the bench database's
// backends and the shared processes: WAL writer, checkpointer...), backends of other
// databases (other work on a shared machine), RabbitMQ (beam.smp, every vhost), the
// bench itself; whatever else ran is the rest of the machine.
import { cpus } from 'node:os';
import { sql, type TestEnv } from '../../test/support/env.ts';
import { perSecondOf } from './figures.ts';
import { BROKER_COUNTERS, brokerObserver, brokerStatsCaughtUp, commitsSoFar, databaseBacklog, postgresStartedAt, publishedByExchange, type BacklogSample, type BrokerCounter } from './observe.ts';
import { cpuMeter, rssBytes, type CpuMeter } from './proc.ts';
import type { RawCapacity } from './raw-capacity.ts';
import type { CpuRow, Result } from './report.ts';
import type { BenchSystem } from './system.ts';
import type { Fault } from './options.ts';

const SAMPLE_MS = 500;
const POLL_MS = 2000;
const PG = 'PostgreSQL (bench database backends + shared processes)';
const PG_OTHER = 'PostgreSQL: backends of other databases';
const RABBIT = 'RabbitMQ (beam.smp, every vhost)';
const BENCH = 'bench driver';
const OURS = 'ours: ';

export interface Window {
  /** ms since the epoch. */
  readonly start: number;
  readonly until: number;
  readonly seconds: number;
}

export interface Monitor {
  /** What waits right now (as of the last poll): messages in queues, events in outboxes, e-mails. */
  waiting(): { queued: number; outbox: number; emails: number };
  /** Opens the load window now (CPU and commits count from here); call once. */
  openWindow(seconds: number): Promise<Window>;
  /** Closes it at its end: CPU and commits are read right then. Memory is watched on until stop(). */
  closeWindow(): Promise<void>;
  /**
   * Once the run's last order completed (lastActivity, ms since the epoch): waits until the
   * broker's counters stand still past it, reads the totals, and stops watching.
   */
  settle(lastActivity: number): Promise<void>;
  /** Stops watching at once (safe at any time, and twice). */
  stop(): void;
  /** The window's figures (after settle()); per-order figures divide by these counts. */
  /** `acceptedInRun`: the warm-up's accepted orders too, which the exchanges' counts (the vhost's whole life) include. */
  report(orders: { accepted: number; acceptedInRun: number; completedInWindow: number; completed: number; lastActivity: number }): Pick<Result, 'cpu' | 'memory' | 'queues' | 'postgres' | 'broker' | 'disturbances'>;
}

/** `injected`: the run restarts a server itself (--fault), so its restart is no stranger's doing. */
export function startMonitor(env: TestEnv, system: BenchSystem, raw: RawCapacity | undefined, injected?: Fault['kind']): Monitor {
  const shop = system.processes.filter((p) => p.role === 'shop');
  const processGroup = new Map<number, string>(system.processes.map((p) => [p.pid,
    p.role === 'shop' ? `${OURS}${p.name === 'all' ? 'every service, one process' : p.name}` : `${p.name} (${p.standsFor ?? 'outside the shop'})`]));
  processGroup.set(process.pid, BENCH);
  const otherDatabaseBackends = new Set<number>();
  const classify = (pid: number, comm: string) => processGroup.get(pid)
    ?? (comm === 'postgres' ? (otherDatabaseBackends.has(pid) ? PG_OTHER : PG) : comm === 'beam.smp' ? RABBIT : undefined);
  const refreshOtherBackends = async () => {
    const rows = await sql<{ pid: number }>(env.databaseUrl, 'select pid from pg_stat_activity where datname is not null and datname <> current_database()');
    otherDatabaseBackends.clear();
    for (const row of rows) otherDatabaseBackends.add(row.pid);
  };

  const rssPeak = new Map<string, number>();
  let rssSumPeak = 0;
  const sampleRss = () => {
    let sum = 0;
    for (const p of shop) {
      const rss = rssBytes(p.pid) ?? 0;
      sum += rss;
      rssPeak.set(p.name, Math.max(rssPeak.get(p.name) ?? 0, rss));
    }
    rssSumPeak = Math.max(rssSumPeak, sum);
  };

  const broker = brokerObserver(env);
  const backlog: BacklogSample[] = [];
  let polling: Promise<void> | undefined;
  const poll = () => (polling ??= Promise.all([
    broker.poll().catch((err: Error) => console.error(`  management API poll failed: ${err.message}`)),
    databaseBacklog(env).then((b) => { backlog.push(b); }, (err: Error) => console.error(`  outbox/e-mail backlog read failed: ${err.message}`)),
    refreshOtherBackends().catch((err: Error) => console.error(`  pg_stat_activity read failed: ${err.message}`)),
  ]).then(() => undefined).finally(() => { polling = undefined; }));

  let cpu: CpuMeter | undefined;
  let window: Window | undefined;
  let commitsAtStart = 0;
  let atEnd: { cpu: ReturnType<CpuMeter['read']>; commits: number } | undefined;
  let byExchange: Record<string, number> = {};
  // The broker's counters lag the traffic by seconds: they are read as totals over the whole
  // run (settled before the load and after the last completion), not as a windowed delta.
  let brokerBefore: Record<BrokerCounter, number> | undefined;
  let brokerAfter: Record<BrokerCounter, number> | undefined;
  let brokerSince = 0;
  // A fault elsewhere on a shared machine (a restart of PostgreSQL or of the RabbitMQ app)
  // spoils the figures: it is noticed and said, not averaged in silently.
  let postgresStart = '';
  const disturbances: string[] = [];
  const timers: NodeJS.Timeout[] = [setInterval(() => { cpu?.sample(); sampleRss(); }, SAMPLE_MS)];
  const stop = () => {
    for (const t of timers) clearInterval(t);
  };

  return {
    waiting() {
      const held = backlog.at(-1);
      return { queued: broker.queueSamples.at(-1)?.total ?? 0, outbox: held?.outboxPending ?? 0, emails: held?.emailsPending ?? 0 };
    },
    async openWindow(seconds) {
      // The raw step's burst must be counted before the window opens, not inside it.
      if (raw) await brokerStatsCaughtUp(env, raw.rabbitmqTotals);
      await poll();
      postgresStart = await postgresStartedAt(env);
      brokerSince = broker.latest()?.at ?? 0;
      // No samples yet: the vhost has carried no message so far.
      brokerBefore = broker.latest()?.counters ?? Object.fromEntries(BROKER_COUNTERS.map((c) => [c, 0])) as Record<BrokerCounter, number>;
      commitsAtStart = await commitsSoFar(env);
      // the all-in-one process's CPU by thread: are its event loops (MainThread, and with THREADS=2 WorkerThread) saturated?
      const allInOne = shop.filter((p) => p.name === 'all').map((p) => p.pid);
      cpu = cpuMeter({ groups: [...processGroup.values(), PG, PG_OTHER, RABBIT], pids: [...processGroup.keys()], scan: true, classify, byThread: allInOne });
      const start = Date.now();
      window = { start, until: start + seconds * 1000, seconds };
      timers.push(setInterval(() => void poll(), POLL_MS));
      return window;
    },
    async closeWindow() {
      cpu!.sample();
      const reading = cpu!.read();
      cpu = undefined;
      atEnd = { cpu: reading, commits: await commitsSoFar(env) };
    },
    async settle(lastActivity) {
      const deadline = Date.now() + 30_000;
      const still = () => {
        const points = broker.counterSamples().ack;
        const [a, b] = points.slice(-2);
        return a !== undefined && b !== undefined && b[0] > lastActivity && a[1] === b[1];
      };
      while (!still() && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 1000));
        await poll();
      }
      if (!still()) console.error('  RabbitMQ\'s counters did not stand still within 30 s of the last completion; the broker figures may miss the end');
      stop();
      await polling;
      brokerAfter = broker.latest()?.counters;
      byExchange = await publishedByExchange(env);
      if ((await postgresStartedAt(env)) !== postgresStart) {
        disturbances.push(`PostgreSQL restarted during the run (${injected === 'postgres-restart' ? 'the injected fault' : 'someone else\'s work on this machine?'}): figures include the outage`);
      }
      const samples = broker.counterSamples();
      const reset = BROKER_COUNTERS.some((c) => samples[c].filter(([at]) => at >= brokerSince).some(([, v], i, all) => i > 0 && v < all[i - 1][1]));
      if (reset) {
        disturbances.push(`RabbitMQ's statistics went back during the run (${injected === 'rabbitmq-restart' ? 'the injected fault' : 'its app restarted?'}): broker rates are not given, figures include the outage`);
        brokerAfter = undefined;
        byExchange = {};
      }
    },
    stop,
    report({ accepted, acceptedInRun, completedInWindow, completed, lastActivity }) {
      const { start, until, seconds } = window!;
      const busy = atEnd!.cpu.machine;
      const row = (group: string, cpuSeconds: number): CpuRow => ({
        group, seconds: round(cpuSeconds, 2),
        msPerOrder: completedInWindow ? round((cpuSeconds * 1000) / completedInWindow, 2) : 0,
        msPerAcceptedOrder: accepted ? round((cpuSeconds * 1000) / accepted, 2) : 0,
        sharePercent: busy ? round((100 * cpuSeconds) / busy, 1) : 0,
      });
      const measured = Object.entries(atEnd!.cpu.groups);
      const ours = measured.filter(([g]) => g.startsWith(OURS)).sort((a, b) => b[1] - a[1]);
      const others = measured.filter(([g]) => !g.startsWith(OURS));
      const order = (g: string) => [PG, RABBIT, BENCH, PG_OTHER].indexOf(g);
      // Node names its threads: the event loops MainThread and WorkerThread (THREADS=2), V8's helpers V8Worker, libuv's pool libuv-worker.
      const threadRows = Object.entries(atEnd!.cpu.threads).filter(([, s]) => s >= 0.01).sort((a, b) => b[1] - a[1])
        .map(([name, s]) => row(`· of which thread ${name} (${round((100 * s) / atEnd!.cpu.elapsedSeconds, 0)}% of a core)`, s));
      const rows = [
        ...(ours.length > 1 ? [row(`${OURS}all ${ours.length} service processes (the rows below)`, sum(ours.map(([, s]) => s)))] : []),
        ...ours.map(([g, s]) => row(g, s)),
        ...threadRows,
        ...others.sort((a, b) => order(a[0]) - order(b[0])).map(([g, s]) => row(g, s)),
        row(`other (rest of the machine${restOf(atEnd!.cpu.rest)})`, busy - sum(measured.map(([, s]) => s))),
      ];

      const inWindow = <T extends { at: number }>(samples: readonly T[]) => samples.filter((s) => s.at >= start && s.at <= until);
      const windowQueues = inWindow(broker.queueSamples);
      const windowBacklog = inWindow(backlog);
      const queueNames = [...new Set(windowQueues.flatMap((q) => Object.keys(q.queues)))];
      // From the load's start to the last completion: all of the run's traffic, and nothing else.
      const spanSeconds = Math.max(seconds, (lastActivity - start) / 1000);
      const total = (counter: BrokerCounter) => (brokerBefore && brokerAfter ? brokerAfter[counter] - brokerBefore[counter] : null);
      const rate = (counter: BrokerCounter) => {
        const n = total(counter);
        return n === null ? null : perSecondOf(n, spanSeconds);
      };
      const commitsPerSecond = perSecondOf(atEnd!.commits - commitsAtStart, seconds);
      const deliverPerSecond = rate('deliver_get');
      const share = (part: number, whole: number | undefined) => (whole ? round((100 * part) / whole, 1) : undefined);
      const largest = [...rssPeak].sort((a, b) => b[1] - a[1])[0];
      const relative = <T extends { at: number }>(samples: readonly T[]) => samples.map((s) => ({ ...s, at: s.at - start }));
      return {
        cpu: {
          windowSeconds: round(atEnd!.cpu.elapsedSeconds, 1), machineBusySeconds: round(busy, 2),
          machineCapacitySeconds: round(cpus().length * atEnd!.cpu.elapsedSeconds, 1), rows,
        },
        memory: {
          peakRssMiB: mib(rssSumPeak),
          largest: shop.length > 1 && largest ? { process: largest[0], peakRssMiB: mib(largest[1]) } : undefined,
          perProcess: Object.fromEntries([...rssPeak].map(([name, bytes]) => [name, mib(bytes)])),
        },
        queues: {
          pollEverySeconds: POLL_MS / 1000,
          peakTotal: stats(windowQueues.map((q) => q.total)).peak,
          meanTotal: stats(windowQueues.map((q) => q.total)).mean,
          top: queueNames.map((queue) => {
            const depths = windowQueues.map((q) => q.queues[queue] ?? 0);
            return { queue, peak: Math.max(...depths), mean: round(sum(depths) / depths.length, 1) };
          }).sort((a, b) => b.mean - a.mean).slice(0, 5),
          samples: relative(broker.queueSamples),
          outboxPending: stats(windowBacklog.map((b) => b.outboxPending)),
          emailsPending: stats(windowBacklog.map((b) => b.emailsPending)),
          databaseSamples: relative(backlog),
        },
        disturbances,
        postgres: { commitsPerSecond, rawCommitsPerSecond: raw?.postgresCommitsPerSecond, sharePercent: share(commitsPerSecond, raw?.postgresCommitsPerSecond) },
        broker: {
          measuredOverSeconds: round(spanSeconds, 1),
          publishPerSecond: rate('publish'), deliverPerSecond, ackPerSecond: rate('ack'),
          perCompletedOrder: Object.fromEntries(BROKER_COUNTERS.map((c) => {
            const n = total(c);
            return [c, n === null || !completed ? null : round(n / completed, 1)];
          })) as Record<BrokerCounter, number | null>,
          publishedPerOrderByExchange: Object.fromEntries(Object.entries(byExchange).sort((a, b) => b[1] - a[1])
            .map(([exchange, n]) => [exchange, acceptedInRun ? round(n / acceptedInRun, 2) : 0])),
          rawMessagesPerSecond: raw?.rabbitmqMessagesPerSecond,
          sharePercent: deliverPerSecond === null ? undefined : share(deliverPerSecond, raw?.rabbitmqMessagesPerSecond),
          counterSamples: Object.fromEntries(Object.entries(broker.counterSamples()).map(([c, points]) => [c, points.map(([t, v]) => [t - start, v] as const)])),
        },
      };
    },
  };
}

/** The busiest processes outside every group, by command name (a Node.js process is "MainThread"). */
function restOf(rest: Record<string, number>): string {
  const top = Object.entries(rest).filter(([, s]) => s >= 0.05).sort((a, b) => b[1] - a[1]).slice(0, 3);
  return top.length ? `; most: ${top.map(([comm, s]) => `${comm} ${round(s, 1)} s`).join(', ')}` : '';
}

const round = (v: number, digits: number) => Math.round(v * 10 ** digits) / 10 ** digits;
const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);
const mib = (bytes: number) => Math.round(bytes / 2 ** 20);
const stats = (values: readonly number[]) => ({ peak: Math.max(0, ...values), mean: values.length ? round(sum(values) / values.length, 1) : 0 });
