// End-to-end load on the whole system: starts every service in one process (its own
// database and vhost, a real SMTP server), stocks the catalog, offers orders over
// HTTP at a fixed rate (open loop: a slow answer does not slow the offer), and
// prints what it measured. Asserts nothing: the machine is shared and noisy.
// An order is complete when its terminal event is recorded and its e-mails are sent.
// Usage: npm run bench:orders -- [--rate 40] [--seconds 30] [--drain 60] [KEY=VALUE ...]
//   e.g. npm run bench:orders -- --rate 60 PAYMENT_LATENCY_MS=1000
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createTestEnv, sql } from '../test/support/env.ts';
import { startSmtpServer } from '../test/support/smtp.ts';

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const rate = option('rate', 40);
const seconds = option('seconds', 30);
const drainSeconds = option('drain', 60);
const extraEnv = Object.fromEntries(args.filter((a) => /^[A-Z_]+=/.test(a)).map((a) => [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)]));

const env = await createTestEnv('bench_orders');
const smtp = await startSmtpServer();
const logFile = path.join(tmpdir(), `orders-${env.name}.log`);
const system = spawn(process.execPath, [path.join(import.meta.dirname, '..', 'runtime', 'main.ts')], {
  env: {
    ...process.env, AMQP_URL: env.amqpUrl, DATABASE_URL: env.databaseUrl, SMTP_URL: smtp.url, PORT: '0', LOG_LEVEL: 'warn',
    PAYMENT_SEED: 'bench', ...extraEnv,
  },
  stdio: ['ignore', 'pipe', 'pipe'],
});
const log = createWriteStream(logFile);
system.stderr.pipe(log);
let printed = '';
const apiUrl = await new Promise<string>((resolve, reject) => {
  system.stdout.setEncoding('utf8');
  system.stdout.on('data', (chunk: string) => {
    printed += chunk;
    log.write(chunk);
    const match = /API\s+(http:\/\/\S+)/.exec(printed);
    if (match) resolve(match[1]);
  });
  system.once('exit', (code) => reject(new Error(`the system exited (${code}) before listening; see ${logFile}`)));
});

try {
  await sql(env.databaseUrl, 'update shop.products set stock_on_hand = 1000000000');
  const products = (await sql<{ product_id: string }>(env.databaseUrl, 'select product_id from shop.products order by product_id')).map((p) => p.product_id);
  console.log(`system up at ${apiUrl}; offering ${rate} orders/s for ${seconds} s (${Object.entries(extraEnv).map(([k, v]) => `${k}=${v}`).join(' ') || 'defaults'})`);

  const posts: { ms: number; status: number }[] = [];
  const accepted = new Map<string, number>();
  const inFlight = new Set<Promise<void>>();
  const started = performance.now();
  const total = Math.round(rate * seconds);
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    const t0 = performance.now();
    const body = JSON.stringify({
      customerId: randomUUID(), email: `bench-${i}@example.com`,
      items: [{ productId: products[i % products.length], quantity: 1 + (i % 3) }],
    });
    const request = fetch(`${apiUrl}/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
      .then(async (res) => {
        const answer = await res.json() as { orderId?: string };
        posts.push({ ms: performance.now() - t0, status: res.status });
        if (res.status === 202 && answer.orderId) accepted.set(answer.orderId, Date.now());
      }, (err: Error) => { posts.push({ ms: performance.now() - t0, status: 0 }); console.error(`POST failed: ${err.message}`); });
    inFlight.add(request);
    void request.finally(() => inFlight.delete(request));
    if (i % Math.max(1, Math.round(rate * 5)) === 0 && i > 0) console.log(`  ${i}/${total} offered, ${accepted.size} accepted`);
  }
  await Promise.all(inFlight);
  const offeredFor = (performance.now() - started) / 1000;

  // Completion: the terminal event in the timeline and every e-mail of the order sent.
  const completion = async () => sql<{ order_id: string; done_at: Date }>(env.databaseUrl, `
    with terminal as (
      select order_id, max(at) as at, min(type) as type from timeline.order_events
      where type in ('InvoiceCreated', 'OrderCancelled', 'OrderRejected') group by order_id),
    mails as (
      select coalesce(i.order_id, e.subject_key::uuid) as order_id, count(*) filter (where e.status = 'sent') as sent,
             count(*) as queued, max(e.sent_at) as sent_at
      from mail.emails e left join invoice.invoices i on e.kind = 'invoice' and i.invoice_id::text = e.subject_key
      group by 1)
    select t.order_id::text, greatest(t.at, m.sent_at) as done_at from terminal t join mails m using (order_id)
    where m.sent = m.queued and m.queued = case t.type when 'InvoiceCreated' then 2 else 1 end`);
  const drainUntil = Date.now() + drainSeconds * 1000;
  let done = await completion();
  while (done.length < accepted.size && Date.now() < drainUntil) {
    await sleep(1000);
    done = await completion();
    console.log(`  draining: ${done.length}/${accepted.size} complete`);
  }
  const firstAccepted = Math.min(...accepted.values());
  const ends = done.map((d) => new Date(d.done_at).getTime());
  const lastDone = Math.max(...ends);
  const latencies = done.map((d) => new Date(d.done_at).getTime() - (accepted.get(d.order_id) ?? NaN)).filter(Number.isFinite);
  const postMs = posts.map((p) => p.ms);
  const statuses = Object.entries(posts.reduce<Record<string, number>>((acc, p) => ({ ...acc, [p.status]: (acc[p.status] ?? 0) + 1 }), {}));
  const figures = {
    offered: total, offeredPerSecond: +(total / offeredFor).toFixed(1), statuses: Object.fromEntries(statuses),
    accepted: accepted.size, completed: done.length,
    completedPerSecond: +(done.length / ((lastDone - firstAccepted) / 1000)).toFixed(1),
    postMs: percentiles(postMs), endToEndMs: percentiles(latencies),
  };
  console.log(JSON.stringify(figures, null, 2));
  console.log(`| offered/s | completed/s | POST p50 / p99 | end-to-end p50 / p99 |\n|---|---|---|---|\n| ${figures.offeredPerSecond} | ${figures.completedPerSecond} | ${figures.postMs.p50} / ${figures.postMs.p99} ms | ${figures.endToEndMs.p50} / ${figures.endToEndMs.p99} ms |`);
} finally {
  system.kill('SIGTERM');
  await new Promise((r) => system.once('exit', r));
  await smtp.close();
  await env.cleanup();
  log.end();
}

function percentiles(values: number[]): { p50: number; p90: number; p99: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN);
  return { p50: at(0.5), p90: at(0.9), p99: at(0.99), max: Math.round(sorted.at(-1) ?? NaN) };
}
