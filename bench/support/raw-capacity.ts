// What this machine's PostgreSQL and RabbitMQ do flat out on the pipeline's kind of
// work, measured in the bench's own database and vhost just before the load, so the
// pipeline's figures can be read as a share of it. Durability as the pipeline has it:
// synchronous commit; persistent messages on a quorum queue, publisher confirms,
// manual acks.
import amqp from 'amqplib';
import pg from 'pg';
import type { TestEnv } from '../../test/support/env.ts';

export interface RawCapacity {
  /** Commits/s of a saga-step-shaped transaction: inbox insert, an update, outbox insert. */
  readonly postgresCommitsPerSecond: number;
  readonly postgresClients: number;
  /** Messages/s through one quorum queue: each published with a confirm, delivered and acked. */
  readonly rabbitmqMessagesPerSecond: number;
  readonly rabbitmqMessageBytes: number;
  /** Every message the step published and acked, confirms and acks after the measurement included. */
  readonly rabbitmqTotals: { readonly published: number; readonly acked: number };
  readonly seconds: number;
}

const SECONDS = 8;
const CLIENTS = 8;
const MESSAGE_BYTES = 1024;
/** Unconfirmed publishes allowed in flight, and unacked deliveries (prefetch). */
const PUBLISH_WINDOW = 256;
const PREFETCH = 256;
const RAW_EXCHANGE = 'bench.raw-capacity';

export async function measureRawCapacity(env: TestEnv): Promise<RawCapacity> {
  const postgresCommitsPerSecond = await postgresCommits(env.databaseUrl);
  const rabbitmq = await rabbitmqMessages(env.amqpUrl);
  return {
    postgresCommitsPerSecond, postgresClients: CLIENTS, rabbitmqMessagesPerSecond: rabbitmq.perSecond, rabbitmqMessageBytes: MESSAGE_BYTES,
    rabbitmqTotals: rabbitmq.totals, seconds: SECONDS,
  };
}

async function postgresCommits(databaseUrl: string): Promise<number> {
  const setup = new pg.Client({ connectionString: databaseUrl });
  await setup.connect();
  try {
    await setup.query(`create schema bench_raw;
      create table bench_raw.inbox (consumer text not null, message_id uuid not null, received_at timestamptz not null default now(), primary key (consumer, message_id));
      create table bench_raw.orders (id integer primary key, status text not null, version integer not null);
      create table bench_raw.outbox (id bigserial primary key, message_id uuid not null, payload jsonb not null, status text not null default 'pending', created_at timestamptz not null default now());
      insert into bench_raw.orders select g, 'NEW', 0 from generate_series(1, 100000) g;`);
    const payload = JSON.stringify({ orderId: '00000000-0000-4000-8000-000000000000', lines: [{ productId: 'A1215', quantity: 2, price: { amount: 8999, currency: 'EUR' } }], total: { amount: 17998, currency: 'EUR' }, padding: 'x'.repeat(400) });
    let commits = 0;
    const until = Date.now() + SECONDS * 1000;
    const started = performance.now();
    await Promise.all(Array.from({ length: CLIENTS }, async (_, client) => {
      const c = new pg.Client({ connectionString: databaseUrl });
      await c.connect();
      try {
        // Each client its own rows, as each order is its own row in the pipeline: no lock waits.
        for (let i = 0; Date.now() < until; i++) {
          await c.query('begin');
          await c.query('insert into bench_raw.inbox (consumer, message_id) values ($1, gen_random_uuid())', ['bench']);
          await c.query('update bench_raw.orders set status = $2, version = version + 1 where id = $1', [1 + client + CLIENTS * (i % 10000), 'PAID']);
          await c.query('insert into bench_raw.outbox (message_id, payload) values (gen_random_uuid(), $1::jsonb)', [payload]);
          await c.query('commit');
          commits++;
        }
      } finally {
        await c.end();
      }
    }));
    return commits / ((performance.now() - started) / 1000);
  } finally {
    try {
      await setup.query('drop schema if exists bench_raw cascade');
    } finally {
      await setup.end();
    }
  }
}

async function rabbitmqMessages(amqpUrl: string): Promise<{ perSecond: number; totals: { published: number; acked: number } }> {
  const queue = 'bench.raw-capacity';
  const conn = await amqp.connect(amqpUrl);
  try {
    const pub = await conn.createConfirmChannel();
    const sub = await conn.createChannel();
    await pub.assertQueue(queue, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
    // Through an exchange of its own, so the pipeline's per-exchange figures leave this step out.
    await pub.assertExchange(RAW_EXCHANGE, 'direct', { durable: true });
    await pub.bindQueue(queue, RAW_EXCHANGE, queue);
    await sub.prefetch(PREFETCH);
    const body = Buffer.alloc(MESSAGE_BYTES, 'x');
    let acked = 0;
    let confirmed = 0;
    let publishing = true;
    await sub.consume(queue, (msg) => {
      if (!msg) return;
      sub.ack(msg);
      acked++;
    }, { noAck: false });
    // A window of unconfirmed publishes: as many in flight as the broker keeps up with.
    let inFlight = 0;
    let failure: Error | undefined;
    const started = performance.now();
    let through = 0;
    await new Promise<void>((resolve) => {
      const pump = () => {
        while (publishing && inFlight < PUBLISH_WINDOW && !failure) {
          inFlight++;
          pub.publish(RAW_EXCHANGE, queue, body, { persistent: true }, (err) => {
            inFlight--;
            if (err) failure = err instanceof Error ? err : new Error(String(err));
            else confirmed++;
            if (publishing) setImmediate(pump);
            else if (inFlight === 0) resolve();
          });
        }
      };
      setTimeout(() => {
        // Through the queue: published and confirmed, and delivered and acked, both at once.
        through = Math.min(confirmed, acked) / ((performance.now() - started) / 1000);
        publishing = false;
        if (inFlight === 0) resolve();
      }, SECONDS * 1000);
      pump();
    });
    if (failure) throw new Error(`raw RabbitMQ capacity: a publish was not confirmed: ${failure.message}`);
    // Whatever is still queued is consumed before the queue goes, so every publish has its ack.
    const deadline = Date.now() + 30_000;
    while (acked < confirmed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await sub.close();
    await pub.deleteQueue(queue);
    await pub.deleteExchange(RAW_EXCHANGE);
    return { perSecond: through, totals: { published: confirmed, acked } };
  } finally {
    await conn.close();
  }
}
