// test-time-limit: 600s
// test-alone: restarts the machine's PostgreSQL, which every other file uses
// Fault suite, PostgreSQL: the machine's server restarted under load, the system's
// backends terminated a few times mid-stream, the system's open connections gone
// silent (half-open, as a failover or a dead host leaves them: nothing refuses, nothing
// answers), and the database read-only for a while (a failover's window, when the
// address reaches a standby or the demoted primary). Each scenario ends with the shared invariants; after the restart the api
// must be ready again within 10 s and nothing may be dead-lettered because the database
// was away. The server is always restored.
import { test } from 'uvu';
import { setTimeout as sleep } from 'node:timers/promises';
import { FORM, FULL, readOnlyWindow, restartPostgres, runScenario, terminateBackends } from './support/faults.ts';
import { PG_ADMIN_URL, sql } from './support/env.ts';
import { faultTable } from './support/invariants.ts';
import { startTcpProxy } from './support/tcp-proxy.ts';

const table = faultTable('database.fault.spec.ts', FORM);
const ORDERS = FULL ? 400 : 80;

test.after(() => table.finish());

test('PostgreSQL restarted under load: ready within 10 s of the database, nothing dead-lettered, invariants hold', async () => {
  table.record('PostgreSQL restart', await runScenario({
    label: 'f_pg_restart', orders: ORDERS, concurrency: 4, spacingMs: 20, faultAt: 0.3,
    settings: { PAYMENT_FAILURE_RATE: '0.25' },
    fault: async ({ system, extra, notes }) => {
      const back = await restartPostgres();
      let status = 0;
      let answer = '';
      while (Date.now() - back < 10_000) {
        try {
          const res = await fetch(`${system.apiUrl}/ready`, { signal: AbortSignal.timeout(2000) });
          status = res.status;
          answer = await res.text();
          if (status === 200) break;
        } catch (err) {
          answer = (err as Error).message;
        }
        await sleep(200);
      }
      notes.push(`/ready answered ${status} ${Date.now() - back} ms after PostgreSQL was back`);
      extra.push({ name: '/ready 200 within 10 s', ok: status === 200, detail: status === 200 ? `after ${Date.now() - back} ms` : `last answer ${status} ${answer.slice(0, 200)}` });
    },
  }));
});

test('the system\'s database backends terminated three times mid-stream: invariants hold', async () => {
  table.record('backends terminated ×3', await runScenario({
    label: 'f_pg_terminate', orders: ORDERS, concurrency: 4, spacingMs: 20, faultAt: 0.2,
    settings: { PAYMENT_FAILURE_RATE: '0.25' },
    fault: async ({ env, notes }) => {
      const killed: number[] = [];
      for (let i = 0; i < 3; i++) {
        killed.push(await terminateBackends(env.name));
        await sleep(FULL ? 1500 : 700);
      }
      notes.push(`backends terminated: ${killed.join(', ')}`);
    },
  }));
});

test('the system\'s open connections to PostgreSQL go silent for good under load (half-open, as after a failover): each stalled transaction ends once the server says its answer was lost, long before its deadline; invariants hold', async () => {
  const proxy = await startTcpProxy(PG_ADMIN_URL);
  // Past this a transaction still idle on the server was not ended by the inspection: only
  // its deadline (the default statement timeout, 30 s, plus 5 s) or the server's idle limit (60 s) would end it.
  const endedWithinMs = 20_000;
  try {
    table.record('open connections go silent', await runScenario({
      label: 'f_pg_silent', orders: ORDERS, concurrency: 4, spacingMs: 20, faultAt: 0.3,
      settings: (env) => ({ PAYMENT_FAILURE_RATE: '0.25', DATABASE_URL: proxy.via(env.databaseUrl) }),
      fault: async ({ env, extra, notes }) => {
        const before = proxy.unanswered;
        const silenced = proxy.stall();
        const stalledAt = Date.now();
        // no transaction of the system waits on anything but the database: one idle on the server for seconds is one whose client is gone
        const idleOnServer = async () => (await sql<{ n: number }>(PG_ADMIN_URL, `select count(*)::int as n from pg_stat_activity
          where datname = $1 and state like 'idle in transaction%' and state_change < now() - interval '3 seconds'`, [env.name]))[0]!.n;
        await sleep(8000);
        let idle = await idleOnServer();
        while (idle > 0 && Date.now() - stalledAt < endedWithinMs) {
          await sleep(500);
          idle = await idleOnServer();
        }
        const took = Date.now() - stalledAt;
        notes.push(`${silenced} connection(s) silenced for good; ${proxy.unanswered - before} bytes sent into them unanswered; ${idle === 0 ? 'no' : idle} transaction(s) idle on the server ${took} ms after`);
        extra.push({ name: 'stalled connections were waited on', ok: silenced > 0 && proxy.unanswered > before, detail: `${silenced} silenced, ${proxy.unanswered - before} bytes unanswered` });
        extra.push({ name: 'abandoned transactions ended on the server long before their deadline', ok: idle === 0, detail: idle === 0 ? `none left ${took} ms after the silence` : `${idle} still idle in transaction ${took} ms after it` });
      },
    }));
  } finally {
    await proxy.close();
  }
});

test('the database read-only for a while under load (a failover\'s window): nothing dead-lettered, invariants hold', async () => {
  table.record('read-only for a while', await runScenario({
    label: 'f_pg_read_only', orders: ORDERS, concurrency: 4, spacingMs: 20, faultAt: 0.3,
    settings: { PAYMENT_FAILURE_RATE: '0.25' },
    // longer than every retry of the run (200 ms, 1 s): a write refused for it that counted against its message would dead-letter it
    fault: ({ env }) => readOnlyWindow(env.name, FULL ? 8000 : 4000),
  }));
});

test.run();
