// test-time-limit: 60s
// A connection of its own (runtime/own-connection.ts: migrations, table maintenance)
// whose server goes away while it waits between queries, as in a PostgreSQL restart: the
// process goes on (an 'error' event with no listener would end it, this test's process
// with it), the next query fails with the loss, and ending it is quiet; and one whose path
// goes silent, which no deadline bounds: the server's word ends the wait.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { connectOwn } from '../runtime/own-connection.ts';
import { createTestEnv, eventually, sql, type TestEnv } from './support/env.ts';
import { startTcpProxy } from './support/tcp-proxy.ts';

let env: TestEnv;

test.before(async () => {
  env = await createTestEnv('own_connection');
});

test.after(async () => {
  await env?.cleanup();
});

test('its backend terminated while it waits: the process goes on, the next query fails, end() is quiet', async () => {
  const connection = await connectOwn(env.databaseUrl, 'own-connection-test');
  const { rows: [row] } = await connection.client.query<{ pid: number }>('select pg_backend_pid() as pid');
  const ended = new Promise<void>((resolve) => connection.client.once('end', () => resolve()));
  await sql(env.databaseUrl, 'select pg_terminate_backend($1)', [row!.pid]);
  await ended; // the socket closed while the client was idle: node-postgres has emitted 'error' by now
  const failure = await connection.client.query('select 1').then(() => 'answered', (err: Error) => err.message);
  assert.match(failure, /not queryable|terminated/, failure);
  await connection.end();
  const [{ n }] = await sql<{ n: number }>(env.databaseUrl, `select count(*)::int as n from pg_stat_activity where application_name = 'own-connection-test'`);
  assert.is(n, 0);
});

test('a connection that ends normally ends normally', async () => {
  const connection = await connectOwn(env.databaseUrl);
  assert.is((await connection.client.query<{ one: number }>('select 1 as one')).rows[0]!.one, 1);
  await connection.end();
  const failure = await connection.client.query('select 1').then(() => 'answered', (err: Error) => err.message);
  assert.match(failure, /not queryable/);
});

test('a statement whose answer is lost on a half-open path fails once the server says its session sat idle (no deadline would end it), and one that runs long is left to run', async () => {
  const proxy = await startTcpProxy(env.databaseUrl);
  try {
    const connection = await connectOwn(proxy.via(env.databaseUrl), 'own-connection-silent');
    assert.equal((await connection.client.query<{ slept: string }>('select pg_sleep(3)::text as slept')).rows, [{ slept: '' }], 'a busy session is left to run');
    // the inspection asked about the sleep over a connection of its own, through the proxy too: only this one is to be silenced
    await eventually(async () => proxy.open === 1, 'the inspection\'s connection closed');
    assert.ok(proxy.stall() === 1, 'the connection is silenced');
    const failure = await connection.client.query('select 1').then(() => 'answered', (err: Error) => err.message);
    assert.match(failure, 'whose answer never arrived');
    await connection.end();
    const [{ n }] = await sql<{ n: number }>(env.databaseUrl, `select count(*)::int as n from pg_stat_activity where application_name = 'own-connection-silent'`);
    assert.is(n, 0, 'its session was ended on the server');
  } finally {
    await proxy.close();
  }
});

test.run();
