// The one checker of the fault suite: after a run has gone quiet, reads the services'
// own tables, the broker's queues and the SMTP server's mails, and returns one named
// result per invariant (never throws for a violation), so a file can print and
// publish a scenarios × invariants table; plus the wait for quiescence it needs.
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { management, sql } from './env.ts';
import { withChannel } from './amqp.ts';
import type { ReceivedMail } from './smtp.ts';
import type { Placed } from './load.ts';
import { services } from '../../generated/registry.ts';
import type { MessageName } from '../../generated/types.ts';

export interface InvariantResult {
  readonly name: string;
  readonly ok: boolean;
  /** What was found: counts, and the first offenders when it failed. */
  readonly detail: string;
}

export interface CheckInput {
  readonly databaseUrl: string;
  readonly amqpUrl: string;
  readonly vhost: string;
  /** Every order that got a 202. */
  readonly placed: readonly Placed[];
  /** Stock per product when the load started. */
  readonly initialStock: ReadonlyMap<string, number>;
  /** Every mail the SMTP server(s) of the run received. */
  readonly mails: readonly ReceivedMail[];
  /** Dead-letter queue → the messageIds of the poison injected for it (none: must be empty). */
  readonly expectedDeadLetters?: Readonly<Record<string, readonly string[]>>;
  /** Lowest stock per product seen while the load ran (from watchStock). */
  readonly lowestStockSeen?: ReadonlyMap<string, number>;
}

/** The invariants every scenario is checked against, in table order. */
export const INVARIANTS = [
  'orders exist once',
  'one terminal state',
  'stock adds up',
  'one payment per order',
  'one invoice per paid order',
  'one e-mail per (order, kind)',
  'outboxes drained',
  'work queues empty',
  'dead letters = injected poison',
] as const;

type Terminal = 'INVOICED' | 'CANCELLED' | 'REJECTED';

interface OrderFacts {
  shopRows: number;
  requestRows: number;
  shopStatus: string | undefined;
  payments: string[];
  invoices: number;
  timeline: string[];
}

const result = (name: string, offenders: readonly string[], summary: string): InvariantResult => ({
  name,
  ok: offenders.length === 0,
  detail: offenders.length === 0 ? summary : `${offenders.length} violation(s): ${offenders.slice(0, 5).join('; ')}${offenders.length > 5 ? '; …' : ''} (${summary})`,
});

async function orderFacts(databaseUrl: string, orderIds: readonly string[]): Promise<Map<string, OrderFacts>> {
  const rows = await sql<{ order_id: string; shop_rows: number; request_rows: number; shop_status: string | null; payments: string[]; invoices: number; timeline: string[] }>(databaseUrl,
    `select o.id as order_id,
       (select count(*)::int from shop.orders s where s.order_id = o.id) as shop_rows,
       (select count(*)::int from api.order_requests r where r.order_id = o.id) as request_rows,
       (select max(s.status) from shop.orders s where s.order_id = o.id) as shop_status,
       array(select p.status from payment.payments p where p.order_id = o.id) as payments,
       (select count(*)::int from invoice.invoices i where i.order_id = o.id) as invoices,
       array(select t.type from timeline.order_events t where t.order_id = o.id) as timeline
     from unnest($1::uuid[]) as o(id)`, [orderIds]);
  return new Map(rows.map((r) => [r.order_id, {
    shopRows: r.shop_rows, requestRows: r.request_rows, shopStatus: r.shop_status ?? undefined,
    payments: r.payments, invoices: r.invoices, timeline: r.timeline,
  }]));
}

/** The order's terminal state from the services' tables, or why it has none (a string starting with "not terminal"). */
export function terminalState(f: OrderFacts): Terminal | string {
  const paid = f.payments.length === 1 && f.payments[0] === 'SUCCEEDED';
  const failed = f.payments.length === 1 && f.payments[0] === 'FAILED';
  if (f.shopStatus === 'REJECTED' && f.payments.length === 0 && f.invoices === 0) return 'REJECTED';
  if (f.shopStatus === 'CANCELLED' && failed && f.invoices === 0) return 'CANCELLED';
  if (f.shopStatus === 'PERSISTED' && paid && f.invoices === 1) return 'INVOICED';
  return `not terminal (shop ${f.shopStatus ?? 'none'}, payments [${f.payments.join(',')}], invoices ${f.invoices})`;
}

const TIMELINE_EVENT: Record<Terminal, MessageName> = { INVOICED: 'InvoiceCreated', CANCELLED: 'OrderCancelled', REJECTED: 'OrderRejected' };
const MAIL_KINDS: Record<Terminal, readonly string[]> = { INVOICED: ['invoice', 'order-confirmation'], CANCELLED: ['cancellation'], REJECTED: ['rejection'] };

/** The promise, or an error naming what did not answer within ms (a broker that hangs must not hang the suite). */
export async function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms); })]);
  } finally {
    clearTimeout(timer);
  }
}

/** The queues of the vhost with their ready and unacknowledged counts (ready counts read live over AMQP). */
function queueStates(amqpUrl: string, vhost: string): Promise<{ name: string; ready: number; unacked: number }[]> {
  return within(20_000, `reading the queues of vhost ${vhost}`, readQueueStates(amqpUrl, vhost));
}

async function readQueueStates(amqpUrl: string, vhost: string): Promise<{ name: string; ready: number; unacked: number }[]> {
  const listed = await (await management(`/queues/${encodeURIComponent(vhost)}?columns=name,messages_unacknowledged`)).json() as { name: string; messages_unacknowledged?: number }[];
  return withChannel(amqpUrl, async (ch) => {
    const out: { name: string; ready: number; unacked: number }[] = [];
    for (const q of listed) {
      if (q.name.startsWith('amq.gen-')) continue; // a test's own tap
      out.push({ name: q.name, ready: (await ch.checkQueue(q.name)).messageCount, unacked: q.messages_unacknowledged ?? 0 });
    }
    return out;
  });
}

/** The messageIds in a queue, read without taking them (fetched and requeued through the management API). */
export async function peekMessageIds(vhost: string, queue: string): Promise<string[]> {
  const res = await management(`/queues/${encodeURIComponent(vhost)}/${encodeURIComponent(queue)}/get`, {
    method: 'POST', body: JSON.stringify({ count: 10_000, ackmode: 'ack_requeue_true', encoding: 'auto', truncate: 200 }),
    signal: AbortSignal.timeout(20_000),
  });
  if (res.status === 404) return [];
  const messages = await res.json() as { properties?: { message_id?: string } }[];
  return messages.map((m) => m.properties?.message_id ?? '(no message id)');
}

const STALLED_MS = 15_000;

export interface Quiescence {
  readonly quiet: boolean;
  readonly waitedMs: number;
  /** The last state seen: what was still moving when it timed out. */
  readonly last: string;
}

/**
 * Waits until every accepted order is terminal, no outbox row or e-mail is pending and
 * every work queue is empty, for a second; on timeout, or when open orders have had
 * nothing left to move them for 15 s, returns quiet: false with the last state (the
 * checker then shows what is wrong).
 */
export async function waitForQuiescence(input: Pick<CheckInput, 'databaseUrl' | 'amqpUrl' | 'vhost' | 'placed'>, timeoutMs: number): Promise<Quiescence> {
  const started = Date.now();
  const ids = input.placed.map((p) => p.orderId);
  let last = 'not checked yet';
  let quietSince: number | undefined;
  let stalledOn: string | undefined;
  let stalledSince = Date.now();
  while (Date.now() - started < timeoutMs) {
    try {
      const facts = await orderFacts(input.databaseUrl, ids);
      const open = ids.filter((id) => { const f = facts.get(id); return !f || terminalState(f).startsWith('not terminal'); });
      const [{ outbox, emails }] = await sql<{ outbox: number; emails: number }>(input.databaseUrl,
        `select (select count(*)::int from runtime.outbox where status = 'pending')
                  + (select count(*)::int from runtime.pending_log_records) as outbox,
                (select count(*)::int from mail.emails where status = 'pending') as emails`);
      // Unacknowledged deliveries are work too: a consumer may hold them while its transaction
      // waits on the database (a silent connection holds them until its deadline), with every
      // table quiet. The broker's count of them lags by up to its statistics interval (5 s).
      const busy = (await queueStates(input.amqpUrl, input.vhost)).filter((q) => !q.name.endsWith('.dlq') && q.ready + q.unacked > 0);
      last = `${open.length} order(s) not terminal, ${outbox} outbox row(s) or log record(s) and ${emails} e-mail(s) pending, busy queues: ${busy.map((q) => `${q.name}=${q.ready} ready/${q.unacked} unacked`).join(', ') || 'none'}`;
      if (open.length === 0 && outbox === 0 && emails === 0 && busy.length === 0) {
        quietSince ??= Date.now();
        if (Date.now() - quietSince >= 1000) return { quiet: true, waitedMs: Date.now() - started, last };
      } else {
        quietSince = undefined;
      }
      // Open orders with nothing left to carry them (no pending row, no queued message) for
      // 15 s: stuck (e.g. dead-lettered), not slow; the checker will say where.
      const stuck = open.length > 0 && outbox === 0 && emails === 0 && busy.length === 0 ? `${open.length}` : undefined;
      if (stuck !== stalledOn) { stalledOn = stuck; stalledSince = Date.now(); }
      if (stuck && Date.now() - stalledSince >= STALLED_MS) {
        return { quiet: false, waitedMs: Date.now() - started, last: `stalled for ${STALLED_MS / 1000} s: ${last}` };
      }
    } catch (err) {
      // A server may still be coming back from the fault: keep waiting, remember why.
      last = `check failed: ${(err as Error).message}`;
      quietSince = undefined;
    }
    await sleep(500);
  }
  return { quiet: false, waitedMs: Date.now() - started, last };
}

/** Samples shop.products every 50 ms while a run lasts; stop() returns the lowest stock seen per product. */
export function watchStock(databaseUrl: string): { stop(): Promise<{ lowest: Map<string, number>; samples: number; failedSamples: number }> } {
  const lowest = new Map<string, number>();
  let running = true;
  let samples = 0;
  let failedSamples = 0;
  const loop = (async () => {
    while (running) {
      try {
        for (const r of await sql<{ product_id: string; stock_on_hand: number }>(databaseUrl, 'select product_id, stock_on_hand from shop.products')) {
          lowest.set(r.product_id, Math.min(lowest.get(r.product_id) ?? Number.POSITIVE_INFINITY, r.stock_on_hand));
        }
        samples++;
      } catch {
        failedSamples++; // the database is down during the fault: counted, the next sample reads again
      }
      await sleep(50);
    }
  })();
  return { stop: async () => { running = false; await loop; return { lowest, samples, failedSamples }; } };
}

/** Checks every invariant; one result per entry of INVARIANTS, in that order. */
export async function checkInvariants(input: CheckInput): Promise<InvariantResult[]> {
  const ids = input.placed.map((p) => p.orderId);
  const facts = await orderFacts(input.databaseUrl, ids);
  const states = new Map(ids.map((id) => [id, terminalState(facts.get(id)!)]));
  const of = (s: Terminal) => ids.filter((id) => states.get(id) === s);
  const summary = `${ids.length} accepted: ${of('INVOICED').length} invoiced, ${of('CANCELLED').length} cancelled, ${of('REJECTED').length} rejected`;
  const results: InvariantResult[] = [];

  // 1. Every 202 is one order, in the api's table and in the shop's; no order came from nowhere.
  {
    const offenders = ids.filter((id) => facts.get(id)!.shopRows !== 1 || facts.get(id)!.requestRows !== 1)
      .map((id) => `${id}: ${facts.get(id)!.requestRows} request row(s), ${facts.get(id)!.shopRows} shop row(s)`);
    if (new Set(ids).size !== ids.length) offenders.push(`${ids.length - new Set(ids).size} order id(s) answered twice by the api`);
    const [{ n }] = await sql<{ n: number }>(input.databaseUrl, 'select count(*)::int as n from shop.orders where not (order_id = any($1::uuid[]))', [ids]);
    if (n > 0) offenders.push(`${n} shop order(s) nobody got a 202 for`);
    results.push(result(INVARIANTS[0], offenders, `${ids.length} orders accepted, each once`));
  }

  // 2. Exactly one terminal state, consistent across shop, payment, invoice and the timeline.
  {
    const offenders: string[] = [];
    for (const id of ids) {
      const state = states.get(id)!;
      if (state.startsWith('not terminal')) { offenders.push(`${id}: ${state}`); continue; }
      const timeline = facts.get(id)!.timeline;
      const ends = (Object.values(TIMELINE_EVENT) as string[]).filter((t) => timeline.includes(t));
      if (ends.length !== 1 || ends[0] !== TIMELINE_EVENT[state as Terminal]) offenders.push(`${id}: ${state} but the timeline ends in [${ends.join(',')}]`);
    }
    results.push(result(INVARIANTS[1], offenders, summary));
  }

  // 3. Stock = initial − what invoiced orders bought, never below zero.
  {
    const stock = new Map((await sql<{ product_id: string; stock_on_hand: number }>(input.databaseUrl, 'select product_id, stock_on_hand from shop.products'))
      .map((r) => [r.product_id, r.stock_on_hand]));
    const sold = new Map<string, number>();
    for (const p of input.placed) {
      if (states.get(p.orderId) !== 'INVOICED') continue;
      for (const item of p.items) sold.set(item.productId, (sold.get(item.productId) ?? 0) + item.quantity);
    }
    const offenders: string[] = [];
    for (const [productId, initial] of input.initialStock) {
      const expected = initial - (sold.get(productId) ?? 0);
      if (stock.get(productId) !== expected) offenders.push(`${productId}: ${stock.get(productId)} on hand, expected ${initial} − ${sold.get(productId) ?? 0} = ${expected}`);
      const lowest = Math.min(stock.get(productId) ?? 0, input.lowestStockSeen?.get(productId) ?? Number.POSITIVE_INFINITY);
      if (lowest < 0) offenders.push(`${productId}: went down to ${lowest}`);
    }
    results.push(result(INVARIANTS[2], offenders, [...input.initialStock.keys()].map((p) => `${p} ${input.initialStock.get(p)}→${stock.get(p)}`).join(', ')));
  }

  // 4. One payment for every order that got past the stock check, none for a rejected one.
  {
    const offenders = ids.filter((id) => {
      const f = facts.get(id)!;
      return f.shopStatus === 'REJECTED' ? f.payments.length !== 0 : f.payments.length !== 1;
    }).map((id) => `${id}: ${facts.get(id)!.payments.length} payment(s), shop ${facts.get(id)!.shopStatus}`);
    const [{ n }] = await sql<{ n: number }>(input.databaseUrl, 'select count(*)::int as n from payment.payments where not (order_id = any($1::uuid[]))', [ids]);
    if (n > 0) offenders.push(`${n} payment(s) of orders nobody placed`);
    results.push(result(INVARIANTS[3], offenders, `${ids.filter((id) => facts.get(id)!.payments.length === 1).length} payments`));
  }

  // 5. One invoice per paid order, none otherwise, numbers unique.
  {
    const offenders = ids.filter((id) => {
      const f = facts.get(id)!;
      return f.invoices !== (f.payments.includes('SUCCEEDED') ? 1 : 0);
    }).map((id) => `${id}: ${facts.get(id)!.invoices} invoice(s), payments [${facts.get(id)!.payments.join(',')}]`);
    const [{ total, numbers }] = await sql<{ total: number; numbers: number }>(input.databaseUrl,
      'select count(*)::int as total, count(distinct invoice_number)::int as numbers from invoice.invoices');
    if (total !== numbers) offenders.push(`${total - numbers} duplicate invoice number(s)`);
    results.push(result(INVARIANTS[4], offenders, `${total} invoices`));
  }

  // 6. E-mails at the SMTP server: one distinct Message-ID per (order, kind) the outcome calls for.
  //    Copies with the same Message-ID (a resend after a crash) are allowed by design and counted apart.
  {
    const invoiceOrder = new Map((await sql<{ invoice_id: string; order_id: string }>(input.databaseUrl, 'select invoice_id, order_id from invoice.invoices'))
      .map((r) => [r.invoice_id, r.order_id]));
    const distinct = new Map<string, Set<string>>(); // "order kind" → Message-IDs
    const offenders: string[] = [];
    let copies = 0;
    const seen = new Set<string>();
    for (const mail of input.mails) {
      const id = mail.messageId ?? '';
      const match = /^<([a-z-]+)\.([0-9a-f-]+)@/.exec(id);
      if (!match) { offenders.push(`a mail with an unexpected Message-ID ${JSON.stringify(id)}`); continue; }
      if (seen.has(id)) copies++;
      seen.add(id);
      const [, kind, key] = match;
      const orderId = kind === 'invoice' ? invoiceOrder.get(key) ?? `invoice ${key}` : key;
      const k = `${orderId} ${kind}`;
      distinct.set(k, (distinct.get(k) ?? new Set()).add(id));
    }
    const expected = new Set<string>();
    for (const id of ids) {
      const state = states.get(id)!;
      if (!state.startsWith('not terminal')) for (const kind of MAIL_KINDS[state as Terminal]) expected.add(`${id} ${kind}`);
    }
    for (const k of expected) if ((distinct.get(k)?.size ?? 0) !== 1) offenders.push(`${k}: ${distinct.get(k)?.size ?? 0} distinct mail(s)`);
    for (const k of distinct.keys()) if (!expected.has(k)) offenders.push(`${k}: a mail nobody should have got`);
    const [{ failed }] = await sql<{ failed: number }>(input.databaseUrl, `select count(*)::int as failed from mail.emails where status = 'failed'`);
    if (failed > 0) offenders.push(`${failed} e-mail(s) given up on (mail.emails failed)`);
    results.push(result(INVARIANTS[5], offenders, `${seen.size} distinct Message-IDs for ${expected.size} expected, ${copies} same-Message-ID resend(s)`));
  }

  // 7. Nothing left to send: the event outbox (with the log records waiting for a batch) and the e-mail queue.
  {
    const [{ outbox, records, emails }] = await sql<{ outbox: number; records: number; emails: number }>(input.databaseUrl,
      `select (select count(*)::int from runtime.outbox where status <> 'sent') as outbox,
              (select count(*)::int from runtime.pending_log_records) as records,
              (select count(*)::int from mail.emails where status = 'pending') as emails`);
    const offenders = [
      ...(outbox > 0 ? [`${outbox} runtime.outbox row(s) not sent`] : []),
      ...(records > 0 ? [`${records} runtime.pending_log_records row(s) not batched`] : []),
      ...(emails > 0 ? [`${emails} mail.emails row(s) pending`] : []),
    ];
    results.push(result(INVARIANTS[6], offenders, 'runtime.outbox all sent, no log record waiting for a batch, mail.emails none pending'));
  }

  // 8 and 9. Work queues empty; dead-letter queues hold exactly the injected poison.
  try {
    // The management API's unacked counts lag up to its statistics interval (5 s by
    // default): read again until they are 0 or 12 s have passed.
    let queues = await queueStates(input.amqpUrl, input.vhost);
    const readUntil = Date.now() + 12_000;
    const busyOf = (qs: typeof queues) => qs.filter((q) => !q.name.endsWith('.dlq') && q.ready + q.unacked > 0).map((q) => `${q.name}: ${q.ready} ready, ${q.unacked} unacked`);
    while (busyOf(queues).length > 0 && Date.now() < readUntil) {
      await sleep(1000);
      queues = await queueStates(input.amqpUrl, input.vhost);
    }
    const work = queues.filter((q) => !q.name.endsWith('.dlq'));
    const busy = busyOf(queues);
    results.push(result(INVARIANTS[7], busy, `${work.length} work queues empty`));
    const offenders: string[] = [];
    let dead = 0;
    const expected = input.expectedDeadLetters ?? {};
    for (const q of queues.filter((x) => x.name.endsWith('.dlq'))) {
      const ids = (q.ready + q.unacked) > 0 ? await peekMessageIds(input.vhost, q.name) : [];
      dead += ids.length;
      const want = [...(expected[q.name] ?? [])].sort();
      const got = [...ids].sort();
      if (JSON.stringify(want) !== JSON.stringify(got)) offenders.push(`${q.name}: holds [${got.join(', ')}], expected [${want.join(', ')}]`);
    }
    for (const name of Object.keys(expected)) if (!queues.some((q) => q.name === name)) offenders.push(`${name}: no such queue`);
    const injected = Object.values(expected).reduce((n, l) => n + l.length, 0);
    results.push(result(INVARIANTS[8], offenders, injected === 0 ? `nothing dead-lettered (${dead})` : `${dead} dead letters, ${injected} expected`));
  } catch (err) {
    // The broker did not answer: both queue invariants are unknown, which is not ✔.
    for (const name of INVARIANTS.slice(7)) if (!results.some((r) => r.name === name)) results.push({ name, ok: false, detail: `could not be checked: ${(err as Error).message}` });
  }
  return results;
}

/** The dead-letter queues a poison message of this type must end in: one per consumer of it in the contract. */
export function deadLetterQueuesFor(type: MessageName): string[] {
  return Object.values(services).filter((s) => s.queue && s.receives.some((r) => r.message === type)).map((s) => `${s.queue}.dlq`);
}

// ---- The table ---------------------------------------------------------------------

export interface ScenarioRow {
  readonly scenario: string;
  /** Empty when the scenario did not run (pending). */
  readonly results: readonly InvariantResult[];
  /** Why the scenario did not run, when it did not. */
  readonly pending?: string;
  readonly note?: string;
}

/** The scenarios × invariants table: the fixed invariants first, then each scenario's own checks. */
export function renderTable(rows: readonly ScenarioRow[], markdown: boolean): string {
  const extra = [...new Set(rows.flatMap((r) => r.results.map((x) => x.name)))].filter((n) => !(INVARIANTS as readonly string[]).includes(n));
  const columns = [...INVARIANTS, ...extra];
  const cell = (row: ScenarioRow, name: string) => {
    if (row.pending) return 'pending';
    const found = row.results.find((x) => x.name === name);
    return found ? (found.ok ? '✔' : '✘') : '–';
  };
  const lines = [
    `| scenario | ${columns.join(' | ')} |`,
    `|---|${columns.map(() => ':-:').join('|')}|`,
    ...rows.map((r) => `| ${r.scenario} | ${columns.map((c) => cell(r, c)).join(' | ')} |`),
  ];
  const notes = rows.flatMap((r) => [
    ...(r.pending ? [`- **${r.scenario}**: PENDING — ${r.pending}`] : []),
    ...r.results.filter((x) => !x.ok).map((x) => `- **${r.scenario}** ✘ ${x.name}: ${x.detail}`),
    // How the run went, ✔ or not: acceptance under the fault and the time to quiescence.
    ...r.results.filter((x) => x.ok && (x.name === 'every order accepted' || x.name === 'quiescence')).map((x) => `- ${r.scenario}, ${x.name}: ${x.detail}`),
    ...(r.note ? [`- ${r.scenario}: ${r.note}`] : []),
  ]);
  const text = [...lines, '', ...notes].join('\n');
  return markdown ? text : text.replace(/\*\*/g, '');
}

const RESULTS = path.join(import.meta.dirname, '..', '..', 'bench', 'results', 'fault-suite.md');

/** Writes (or replaces) this file's section of bench/results/fault-suite.md. */
export function publishTable(file: string, rows: readonly ScenarioRow[], form: string): void {
  mkdirSync(path.dirname(RESULTS), { recursive: true });
  const begin = `<!-- ${file}: begin -->`;
  const end = `<!-- ${file}: end -->`;
  const section = [begin, `### ${file} (${form} form, ${new Date().toISOString().slice(0, 16)}Z)`, '', renderTable(rows, true), end].join('\n');
  const current = existsSync(RESULTS) ? readFileSync(RESULTS, 'utf8')
    : '# Fault suite\n\nWritten by the fault tests (test/*.fault.spec.ts); ✔ holds, ✘ violated, – not checked, pending: not run yet.\n';
  const from = current.indexOf(begin);
  const to = current.indexOf(end);
  const next = from >= 0 && to > from ? `${current.slice(0, from)}${section}${current.slice(to + end.length)}` : `${current.trimEnd()}\n\n${section}\n`;
  writeFileSync(RESULTS, next);
}

/** A fault file's table: record each scenario's row (asserting it is all ✔), then print and publish it. */
export function faultTable(file: string, form: string) {
  const rows: ScenarioRow[] = [];
  return {
    rows,
    /** Adds the row; throws (fails the test) naming every ✘. */
    record(scenario: string, results: readonly InvariantResult[], note?: string): void {
      rows.push({ scenario, results, note });
      const failed = results.filter((r) => !r.ok);
      if (failed.length > 0) throw new Error(`${scenario}: ${failed.map((r) => `✘ ${r.name}: ${r.detail}`).join('\n  ')}`);
    },
    /** A scenario that cannot run yet: shown as pending in the table, never as ✔. */
    pending(scenario: string, why: string): void {
      rows.push({ scenario, results: [], pending: why });
      console.log(`PENDING ${scenario}: ${why}`);
    },
    finish(): void {
      console.log(`\n${file} (${form} form):\n${renderTable(rows, false)}\n`);
      publishTable(file, rows, form);
    },
  };
}
