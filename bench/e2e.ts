// `npm run bench`: the whole system under load, end to end, with every guarantee on.
// Starts the system on its own database and vhost (all services in one process, or one
// process per service as compose runs them), with a real SMTP server and the simulated
// card processor in processes of their own (the systems outside the shop they stand for),
// measures first what this machine's PostgreSQL and RabbitMQ do flat out, then offers
// orders over HTTP (closed or open loop) and reports: orders/s accepted and completed
// (terminal event recorded and its e-mails sent), latencies end to end, per HTTP request
// and per hop, CPU per completed order by process group, peak memory, queue depths, and
// the pipeline's database and broker work as a share of the raw capacity. Asserts nothing:
// the machine is shared and figures are noisy. Everything it started is stopped and
// removed at the end, on failure and on Ctrl-C too.
// Usage: npm run bench -- [--clients 64 | --rate R] [--seconds 60] [--drain 60]
//          [--mode all-in-one|per-service] [--products N] [--skip-raw] [KEY=VALUE ...]
//   e.g. npm run bench -- --rate 30 --seconds 20 PAYMENT_LATENCY_MS=0
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createTestEnv } from '../test/support/env.ts';
import { fmtMs, latencyChart } from './support/chart.ts';
import { orderEvents, readCompletions } from './support/completion.ts';
import { restartPostgres, restartRabbit, withDiskAlarm } from '../test/support/faults.ts';
import { startTcpProxy, type TcpProxy } from '../test/support/tcp-proxy.ts';
import { distribution, faultFigures, hopDistributions, orderLatencies, pathCheck, perSecond, perSecondOf, statusCounts } from './support/figures.ts';
import { driver } from './support/load.ts';
import { describeLoad, parseOptions, USAGE, UsageError, type Fault } from './support/options.ts';
import { startMonitor } from './support/monitor.ts';
import { measureRawCapacity, type RawCapacity } from './support/raw-capacity.ts';
import { markdown, type Result } from './support/report.ts';
import { startBenchSystem } from './support/system.ts';
import { stockCatalog } from './support/catalog.ts';

const args = process.argv.slice(2);
let options;
try {
  options = parseOptions(args);
} catch (err) {
  if (!(err instanceof UsageError)) throw err;
  console.error(`${err.message}\n${USAGE}`);
  process.exit(2);
}
const { load, seconds, warmupSeconds, drainSeconds, mode } = options;
/**
 * The bench's defaults for the system: the issue's target is measured at info; a payment
 * seed gives ~20% declines, the same each run; the order rate limit is off, since the
 * bench posts orders flat out from one address (ORDER_RATE_LIMIT_MAX=N measures it on).
 */
const systemSettings: Record<string, string> = { LOG_LEVEL: 'info', PAYMENT_SEED: 'bench', ORDER_RATE_LIMIT_MAX: '0', ...options.settings };
const RESULTS = path.join(import.meta.dirname, 'results');
const PROGRESS_MS = 5000;
/** What each --fault does to the machine's server (or to the system's path to it), always undone before `run` resolves. */
const FAULTS: Record<Fault['kind'], { begins: (downSeconds: number) => string; run: (downMs: number, path: { postgres?: TcpProxy }) => Promise<unknown>; ends: string }> = {
  'postgres-restart': { begins: () => 'restarting PostgreSQL', run: () => restartPostgres(), ends: 'PostgreSQL answers again' },
  'postgres-silent': {
    begins: (s) => `silencing the system's path to PostgreSQL for ${s} s (half-open: its open connections for good, new ones for that long)`,
    run: async (ms, { postgres }) => {
      postgres!.stall({ alsoNew: true });
      try {
        await sleep(ms);
      } finally {
        postgres!.unstall();
      }
    },
    ends: 'new connections to PostgreSQL pass again',
  },
  'rabbitmq-restart': { begins: (s) => `stopping RabbitMQ's app for ${s} s`, run: (ms) => restartRabbit(ms), ends: 'RabbitMQ answers again' },
  'rabbitmq-alarm': { begins: (s) => `raising RabbitMQ's disk alarm for ${s} s (publishing blocked)`, run: (ms) => withDiskAlarm(() => sleep(ms)), ends: 'RabbitMQ\'s disk alarm cleared' },
};

// Cleanup runs once, in reverse order of start, whether the run ends, fails or is interrupted.
const cleanups: { what: string; run: () => Promise<void> }[] = [];
let cleaning: Promise<void> | undefined;
const cleanup = () => (cleaning ??= (async () => {
  for (const step of cleanups.reverse()) {
    await step.run().catch((err: Error) => console.error(`cleanup: ${step.what} failed: ${err.message}`));
  }
})());
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping the system and removing the bench database and vhost...`);
    void cleanup().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  });
}
const timers: NodeJS.Timeout[] = [];

try {
  const env = await createTestEnv('bench_e2e');
  cleanups.push({ what: `removing database and vhost ${env.name}`, run: () => env.cleanup() });
  const logFile = path.join(tmpdir(), `bench-e2e-${env.name}.log`);

  let raw: RawCapacity | undefined;
  if (!options.skipRaw) {
    console.log('raw capacity: PostgreSQL saga-step transactions, then RabbitMQ quorum-queue messages (8 s each)...');
    raw = await measureRawCapacity(env);
    console.log(`  PostgreSQL ${Math.round(raw.postgresCommitsPerSecond)} commits/s, RabbitMQ ${Math.round(raw.rabbitmqMessagesPerSecond)} msg/s`);
  }

  // Only a silence needs a path of its own to PostgreSQL: a proxy that can stop passing bytes, as a dead host or a half-open link does.
  const routes: { postgres?: TcpProxy } = {};
  if (options.fault?.kind === 'postgres-silent') {
    const proxy = routes.postgres = await startTcpProxy(env.databaseUrl);
    cleanups.push({ what: 'closing the proxy to PostgreSQL', run: () => proxy.close() });
  }
  console.log(`starting the system (${mode}); its output goes to ${logFile}`);
  const system = await startBenchSystem({ mode, env, logFile, settings: systemSettings, databaseUrl: routes.postgres?.via(env.databaseUrl) });
  cleanups.push({ what: 'stopping the system', run: () => system.stop() });

  const products = await stockCatalog(env.databaseUrl, options.products);

  const monitor = startMonitor(env, system, raw, options.fault?.kind);
  cleanups.push({ what: 'stopping the monitor', run: async () => monitor.stop() });

  const drive = driver(system.apiUrl, load, products, env.name);
  const completions = new Map<string, number>();
  const acceptedIds = () => drive.requests.filter((r) => r.orderId).map((r) => r.orderId!);
  const completedOfOurs = () => acceptedIds().filter((id) => completions.has(id)).length;
  let progressRunning = false;
  const progress = async (label: string) => {
    if (progressRunning) return;
    progressRunning = true;
    try {
      await readCompletions(env.databaseUrl, completions, acceptedIds());
      const accepted = acceptedIds().length;
      const completed = completedOfOurs();
      const waiting = monitor.waiting();
      console.log(`  ${label}: offered ${drive.offered()}, accepted ${accepted}, completed ${completed}, backlog ${accepted - completed}`
        + ` (waiting: ${waiting.queued} messages in queues, ${waiting.outbox} events in outboxes, ${waiting.emails} e-mails)`);
    } catch (err) {
      console.error(`  progress read failed: ${(err as Error).message}`);
    } finally {
      progressRunning = false;
    }
  };

  console.log(`system up at ${system.apiUrl} (${system.processes.map((p) => `${p.name}:${p.pid}`).join(' ')}); ${describeLoad(load)} for ${seconds} s`);
  let warmup: Result['settings']['warmup'];
  if (warmupSeconds > 0) {
    console.log(`  warming up: the same load for ${warmupSeconds} s, not counted`);
    const warm = driver(system.apiUrl, load, products, `${env.name}-warmup`);
    await warm.run(Date.now() + warmupSeconds * 1000);
    warmup = { seconds: warmupSeconds, offered: warm.requests.length, accepted: warm.requests.filter((r) => r.orderId).length };
  }
  const { start, until } = await monitor.openWindow(seconds);
  timers.push(setInterval(() => void progress(`${Math.round((Date.now() - start) / 1000)} s`), PROGRESS_MS));
  // The injector brings the server back in a finally and waits until it answers, whatever happens;
  // the cleanup waits for it too, so an interrupted run never leaves the machine's server down.
  let faultRun: Promise<{ injectedAt: number; restoredAt: number }> | undefined;
  if (options.fault) {
    const { kind, atSecond, downSeconds } = options.fault;
    faultRun = sleep(start + atSecond * 1000 - Date.now()).then(async () => {
      const injectedAt = Date.now();
      const fault = FAULTS[kind];
      console.log(`  ${Math.round((injectedAt - start) / 1000)} s: fault: ${fault.begins(downSeconds)}`);
      await fault.run(downSeconds * 1000, routes);
      const restoredAt = Date.now();
      console.log(`  ${Math.round((restoredAt - start) / 1000)} s: fault: ${fault.ends}`);
      return { injectedAt, restoredAt };
    });
    const running = faultRun;
    running.catch(() => undefined); // its error is reported where it is awaited, after the load, not as an unhandled rejection mid-run
    cleanups.push({ what: `bringing back the server of --fault ${kind}`, run: async () => { await running; } });
  }
  // The window closes when the offer stops: CPU and commits are read right then, not after the last answers.
  const windowClosed = sleep(until - Date.now()).then(() => monitor.closeWindow());
  await drive.run(until);
  await windowClosed;

  // Drain: wait for every accepted order, or the drain time (the progress line goes on).
  const drainUntil = Date.now() + drainSeconds * 1000;
  await readCompletions(env.databaseUrl, completions, acceptedIds());
  while (completedOfOurs() < acceptedIds().length && Date.now() < drainUntil) {
    await sleep(1000);
    await readCompletions(env.databaseUrl, completions, acceptedIds());
  }
  const drainedSeconds = (Date.now() - until) / 1000;
  const faultTimes = await faultRun;
  for (const t of timers) clearInterval(t);
  const lastCompletion = Math.max(until, ...[...completions.values()]);
  await monitor.settle(lastCompletion);

  // Figures.
  const requests = drive.requests;
  const accepted = requests.filter((r) => r.orderId);
  const orders = orderLatencies(requests, completions, await orderEvents(env.databaseUrl));
  const inWindow = orders.filter((o) => o.doneAt >= start && o.doneAt <= until).length;
  const outcomes: Record<string, number> = {};
  for (const o of orders) outcomes[o.path] = (outcomes[o.path] ?? 0) + 1;
  // The code measured: the commit, and whether anything but earlier results differed from it.
  const git = (...gitArgs: string[]) => execFileSync('git', ['-C', path.join(import.meta.dirname, '..'), ...gitArgs], { encoding: 'utf8' }).trim();
  const commit = git('rev-parse', '--short', 'HEAD') + (git('status', '--porcelain', '--', '.', ':(exclude)bench/results', ':(exclude)node_modules') ? ' (uncommitted changes)' : '');

  const buckets = perSecond(orders, start);
  const result: Result = {
    settings: { mode, load: describeLoad(load), seconds, warmup, drainSeconds, system: systemSettings, products: products.length, commandLine: `npm run bench -- ${args.join(' ')}`.trim() },
    machine: { cores: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', node: process.version, date: new Date().toISOString(), commit },
    orders: {
      windowSeconds: seconds, offered: requests.length, accepted: accepted.length, acceptedPerSecond: perSecondOf(accepted.length, seconds),
      completedInWindow: inWindow, completedPerSecond: perSecondOf(inWindow, seconds), backlogAtWindowEnd: accepted.length - inWindow,
      completedPerSecondOverall: orders.length ? perSecondOf(orders.length, (Math.max(...orders.map((o) => o.doneAt)) - start) / 1000) : 0,
      completed: orders.length, incomplete: accepted.length - orders.length, drainedSeconds, outcomes,
    },
    post: { statuses: statusCounts(requests), latencyMs: distribution(requests.map((r) => r.ms)) },
    endToEndMs: distribution(orders.map((o) => o.doneAt - o.sentAt)),
    hops: hopDistributions(orders),
    pathCheck: pathCheck(orders),
    ...monitor.report({ accepted: accepted.length, acceptedInRun: accepted.length + (warmup?.accepted ?? 0), completedInWindow: inWindow, completed: orders.length, lastActivity: lastCompletion }),
    raw,
    perSecond: buckets,
    fault: options.fault && faultTimes && { ...options.fault, ...faultFigures(requests, buckets, start, faultTimes.injectedAt, faultTimes.restoredAt) },
  };

  mkdirSync(RESULTS, { recursive: true });
  const base = path.join(RESULTS, `e2e-${mode}`);
  const md = markdown(result);
  writeFileSync(`${base}.json`, `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(`${base}.md`, md);
  writeFileSync(`${base}.svg`, latencyChart(result.perSecond, {
    title: `End-to-end latency over time — ${mode}, ${describeLoad(load)}`,
    subtitle: `${result.orders.completedPerSecond} orders/s completed in the ${seconds} s window; p50 ${fmtMs(result.endToEndMs.p50)}, p99 ${fmtMs(result.endToEndMs.p99)} overall (${result.machine.cores} cores, ${result.machine.date.slice(0, 10)})`,
    loadSeconds: seconds,
  }));
  console.log(`\n${md}`);
  console.log(`written: ${base}.{json,md,svg}; system log: ${logFile}`);
} catch (err) {
  console.error(`bench failed: ${(err as Error).stack ?? err}`);
  process.exitCode = 1;
} finally {
  for (const t of timers) clearInterval(t);
  await cleanup();
}
