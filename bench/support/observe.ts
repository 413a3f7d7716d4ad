// What the broker and the database did for the pipeline, read from their own
// statistics while the load runs: queue depths, the vhost's message counters and
// per-exchange totals (RabbitMQ management API), the bench database's commits
// (pg_stat_database), and the work waiting in the database (unpublished outbox rows,
// unsent e-mails). Read-only: nothing here changes a queue or a row the pipeline uses.
import { eventually, management, sql, type TestEnv } from '../../test/support/env.ts';

/** The vhost counters the pipeline's broker work is read from. */
export const BROKER_COUNTERS = ['publish', 'deliver_get', 'ack'] as const;
export type BrokerCounter = typeof BROKER_COUNTERS[number];

export interface QueueSample {
  /** ms since the epoch, when the bench read it. */
  readonly at: number;
  /** ready + unacknowledged, over every queue of the vhost. */
  readonly total: number;
  /** ready + unacknowledged per queue, only the queues holding any. */
  readonly queues: Readonly<Record<string, number>>;
}

export interface BrokerObserver {
  /** One poll: queue depths, and the counters' latest samples (kept with their own timestamps). */
  poll(): Promise<void>;
  readonly queueSamples: readonly QueueSample[];
  /** The newest stamped sample of each counter, and its stamp (ms since the epoch). */
  latest(): { at: number; counters: Record<BrokerCounter, number> } | undefined;
  /** Every sample the broker stamped, per counter: [ms since the epoch, value]. */
  counterSamples(): Record<BrokerCounter, [number, number][]>;
}

interface VhostStats {
  message_stats?: Partial<Record<`${BrokerCounter}_details`, { samples?: { sample: number; timestamp: number }[] }>> & Partial<Record<BrokerCounter, number>>;
}

export function brokerObserver(env: TestEnv): BrokerObserver {
  const vhost = encodeURIComponent(env.vhost);
  const queueSamples: QueueSample[] = [];
  // The broker refreshes its statistics every collect_statistics_interval (5 s by default)
  // and stamps each sample; a stamp reflects traffic up to several seconds earlier.
  const samples = new Map<BrokerCounter, Map<number, number>>(BROKER_COUNTERS.map((c) => [c, new Map()]));
  return {
    queueSamples,
    async poll() {
      const at = Date.now();
      const [queuesRes, statsRes] = await Promise.all([
        management(`/queues/${vhost}?columns=name,messages_ready,messages_unacknowledged`),
        management(`/vhosts/${vhost}?msg_rates_age=30&msg_rates_incr=5`),
      ]);
      const queues = await queuesRes.json() as { name: string; messages_ready?: number; messages_unacknowledged?: number }[];
      const depths: Record<string, number> = {};
      let total = 0;
      for (const q of queues) {
        const depth = (q.messages_ready ?? 0) + (q.messages_unacknowledged ?? 0);
        total += depth;
        if (depth > 0) depths[q.name] = depth;
      }
      queueSamples.push({ at, total, queues: depths });
      const stats = await statsRes.json() as VhostStats;
      for (const counter of BROKER_COUNTERS) {
        for (const s of stats.message_stats?.[`${counter}_details`]?.samples ?? []) samples.get(counter)!.set(s.timestamp, s.sample);
      }
    },
    counterSamples() {
      return Object.fromEntries(BROKER_COUNTERS.map((c) => [c, [...samples.get(c)!].sort((a, b) => a[0] - b[0])])) as Record<BrokerCounter, [number, number][]>;
    },
    latest() {
      const newest = [...samples.get('publish')!.keys()].sort((a, b) => a - b).at(-1);
      if (newest === undefined) return undefined;
      const counters = Object.fromEntries(BROKER_COUNTERS.map((c) => [c, samples.get(c)!.get(newest) ?? 0])) as Record<BrokerCounter, number>;
      return { at: newest, counters };
    },
  };
}

/**
 * Waits until the broker's stamped samples of the vhost's counters (what the window is
 * measured from) include at least these totals. They can lag well behind a burst
 * (seconds, for the raw-capacity step's 100 000+ messages), and behind the plain
 * counters: counts stamped late would land inside the load window.
 */
export async function brokerStatsCaughtUp(env: TestEnv, totals: { published: number; acked: number }, timeoutMs = 90_000): Promise<void> {
  const latest = (details: { samples?: { sample: number; timestamp: number }[] } | undefined) =>
    Math.max(0, ...(details?.samples ?? []).map((s) => s.sample));
  // The samples asked for reach back over the whole wait: a burst whose last sample was stamped more
  // than a short age ago would otherwise leave none to read, and the wait could never end.
  const age = Math.ceil(timeoutMs / 1000) + 60;
  let seen = 'nothing yet';
  await eventually(async () => {
    const stats = await (await management(`/vhosts/${encodeURIComponent(env.vhost)}?msg_rates_age=${age}&msg_rates_incr=5`)).json() as VhostStats;
    const published = latest(stats.message_stats?.publish_details);
    const acked = latest(stats.message_stats?.ack_details);
    seen = `${published} publishes and ${acked} acks in the stamped samples, ${stats.message_stats?.publish ?? 0} and ${stats.message_stats?.ack ?? 0} in the plain counters`;
    return published >= totals.published && acked >= totals.acked;
  }, `RabbitMQ's statistics to count the raw-capacity step's ${totals.published} publishes and ${totals.acked} acks`, timeoutMs, 1000)
    .catch((err: Error) => { throw new Error(`${err.message}; last read: ${seen}`, { cause: err }); });
}

/** Messages published to each exchange of the vhost since it was made (the broker's latest 5 s figures). */
export async function publishedByExchange(env: TestEnv): Promise<Record<string, number>> {
  const exchanges = await (await management(`/exchanges/${encodeURIComponent(env.vhost)}?columns=name,message_stats`)).json() as
    { name: string; message_stats?: { publish_in?: number } }[];
  return Object.fromEntries(exchanges.filter((e) => e.message_stats?.publish_in).map((e) => [e.name || '(default)', e.message_stats!.publish_in!]));
}

export interface BacklogSample {
  /** ms since the epoch, when the bench read it. */
  readonly at: number;
  /** Events committed but not yet published (runtime.outbox, every service's). */
  readonly outboxPending: number;
  /** E-mails stored but not yet accepted by the SMTP server. */
  readonly emailsPending: number;
}

/** Work the database holds for the pipeline: what queue depths cannot show. */
export async function databaseBacklog(env: TestEnv): Promise<BacklogSample> {
  const [row] = await sql<{ outbox: number; emails: number }>(env.databaseUrl, `select
    (select count(*)::int from runtime.outbox where status = 'pending') as outbox,
    (select count(*)::int from mail.emails where status = 'pending') as emails`);
  return { at: Date.now(), outboxPending: row.outbox, emailsPending: row.emails };
}

/** When PostgreSQL last started: a different answer later means it restarted in between. */
export async function postgresStartedAt(env: TestEnv): Promise<string> {
  const [row] = await sql<{ at: string }>(env.databaseUrl, 'select pg_postmaster_start_time()::text as at');
  return row.at;
}

/** Transactions committed in the bench database so far (every client's, the bench's few included). */
export async function commitsSoFar(env: TestEnv): Promise<number> {
  const [row] = await sql<{ n: string }>(env.databaseUrl, 'select xact_commit::text as n from pg_stat_database where datname = current_database()');
  return Number(row.n);
}
