// Sends the queued e-mails of some kinds (rows of mail.emails) through SMTP, each
// with the Message-ID stored in its row, and marks them sent; retries with growing
// backoff while SMTP fails, and gives up (status 'failed', error log) after
// maxAttempts. The commit that queues e-mails claims them itself (as many as it handled
// deliveries): its service's consumer sends the claim in the statement that commits
// (claimAlongCommit), and the dispatcher sends what it claimed once it committed, with no
// claim of its own in between. It polls as the fallback (a restart, another replica,
// retries, a claim that was full). A commit whose answer was lost may have claimed rows that nobody will send:
// each claim marks its rows with a token, and those of the lost one are given back at
// once (claim = token), rather than after the lease.
//
// A dispatcher holds at most batchSize e-mails claimed and not yet done with, its passes'
// and its service's commits' claims together: a claim takes only what is left of that.
// Against an SMTP server slower than the e-mails come, the backlog then waits in the table,
// not in this process's memory, and no e-mail waits here for a connection past its lease
// (when another pass would send it again). A send that still finds no connection free
// within half its lease is not made: its row is given back, unattempted.
//
// Claiming is a lease, not a lock held across the send: one short statement picks
// due pending rows FOR UPDATE SKIP LOCKED (so several dispatchers never pick the
// same row) and pushes their next_attempt_at one lease ahead, counting the attempt.
// The send then runs with no transaction open (a slow SMTP server holds no row
// lock and no pooled connection), and a second short statement marks the row sent
// or schedules its retry. A dispatcher that dies, or a send that outlives the lease
// (the SMTP timeouts are set far below it), leaves the row pending: after the lease
// another pass sends it again under the same Message-ID. That is the worst case, a
// resend of the same message that mail clients collapse, never a second distinct mail.
// Each send is a CLIENT span, child of the traceparent the row was queued with (the
// handling that queued it), so the order's trace reaches its e-mails.
import { randomUUID } from 'node:crypto';
import type { AlongCommit } from '../commit-deliveries.ts';
import type { Database, EntityManager } from '../db.ts';
import type { Statement } from '../outbox.ts';
import type { Logger } from '../logger.ts';
import { describeError } from '../errors.ts';
import { throughOutage } from '../through-outage.ts';
import { pollingLoop, type PollingLoop } from '../polling-loop.ts';
import { SendNotStartedError, type MailTransport } from './transport.ts';
import { isBareAddress, oneLineHeader } from './mime.ts';
import { contextOfTraceparent, endSpan, inSpan, SpanKind, startSpan, type Span } from '../tracing.ts';

export interface QueuedEmail {
  readonly id: string;
  readonly kind: string;
  readonly subject_key: string;
  readonly recipient: string;
  readonly subject: string;
  readonly text_body: string;
  readonly html_body: string;
  readonly message_id: string;
  /** Attempts so far, this one included. */
  readonly attempts: number;
  readonly created_at: Date | string;
  /** The trace of the handling that queued it; null for rows queued before traces. */
  readonly traceparent: string | null;
  /** The token of the claim it was sent under. */
  readonly claim: string;
}

interface Sent {
  readonly email: QueuedEmail;
  readonly response: string;
  readonly log: Logger;
  /** The send's span (ended): its outcome is logged in it, so the line carries the order's trace. */
  readonly span: Span;
}

export interface MailDispatcherOptions {
  /** The e-mail kinds this dispatcher sends (its service's). */
  readonly kinds: readonly string[];
  /** The From header, e.g. "Shop <orders@shop.example>". */
  readonly from: string;
  readonly pollMs?: number;
  readonly batchSize?: number;
  /** How long a claimed row is left alone before another pass may send it again. */
  readonly leaseMs?: number;
  /** Attempts before a row is marked failed. */
  readonly maxAttempts?: number;
  /** Delay after the first failed attempt; doubles with each further one, up to backoffMaxMs. */
  readonly backoffBaseMs?: number;
  readonly backoffMaxMs?: number;
  /** Runs in the transaction that marks an e-mail failed for good (e.g. to write a LogEmitted). */
  readonly onGaveUp?: (em: EntityManager, email: QueuedEmail, error: string) => Promise<void>;
}

const DEFAULTS = {
  pollMs: 1000,
  batchSize: 50,
  leaseMs: 120_000,
  maxAttempts: 15,
  backoffBaseMs: 1000,
  backoffMaxMs: 60_000,
};

/** Delay before the next attempt, after `attempts` failed ones: base·2^(attempts−1), capped. */
export function retryDelayMs(attempts: number, baseMs: number = DEFAULTS.backoffBaseMs, maxMs: number = DEFAULTS.backoffMaxMs): number {
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, Math.min(attempts - 1, 30)));
}

/** An SMTP answer that no retry changes: the server refused the recipient, sender or content for good (5xx). */
function isPermanentRejection(error: unknown): boolean {
  const e = error as { responseCode?: unknown; code?: unknown };
  return typeof e?.responseCode === 'number' && e.responseCode >= 500 && e.responseCode < 600
    && (e.code === 'EENVELOPE' || e.code === 'EMESSAGE');
}

/**
 * Claims for a lease of ? seconds from the statement's start, under the token ?, up to ? due e-mails of the kinds (?); exported for the
 * plan test (query-plans.int), which checks it stays one index scan of the pending ones.
 */
export const CLAIM_DUE_EMAILS = `update mail.emails e
    set attempts = e.attempts + 1, next_attempt_at = clock_timestamp() + make_interval(secs => ?::float8), claim = ?::uuid
  where e.id in (
    select id from mail.emails
     where status = 'pending' and kind in (?) and next_attempt_at <= now()
     order by next_attempt_at, created_at
     limit ?
     for update skip locked)
  returning e.id, e.kind, e.subject_key, e.recipient, e.subject, e.text_body, e.html_body, e.message_id, e.attempts, e.created_at, e.traceparent, e.claim`;

/** Makes due again, with the attempt its claim counted taken back, what the claim ? still holds of the kinds (?) (`of`: and of the ids (?)). */
const giveBackClaimed = (of: 'all' | 'ids') => `update mail.emails set attempts = attempts - 1, next_attempt_at = now(), claim = null
  where status = 'pending' and kind in (?) and claim = ?::uuid${of === 'ids' ? ' and id in (?)' : ''}
  returning id`;

export class MailDispatcher {
  readonly #db: Database;
  readonly #transport: MailTransport;
  readonly #log: Logger;
  readonly #options: MailDispatcherOptions & typeof DEFAULTS;
  #loop: PollingLoop | undefined;
  /** Sends of claims made by the service's commits (#sendClaimed), which stop() waits for as for a pass. */
  readonly #sending = new Set<Promise<void>>();
  /** E-mails claimed, or that a claim being made may take, and not yet done with: at most batchSize. */
  #held = 0;
  /** A claim took all it was allowed, or was allowed nothing: more may be due once some are done with. */
  #moreDue = false;

  constructor(db: Database, transport: MailTransport, log: Logger, options: MailDispatcherOptions) {
    if (options.kinds.length === 0) throw new Error('a mail dispatcher needs at least one e-mail kind');
    this.#db = db;
    this.#transport = transport;
    this.#log = log;
    const defined = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
    this.#options = { ...DEFAULTS, ...defined } as MailDispatcherOptions & typeof DEFAULTS;
  }

  start(): void {
    this.#loop ??= pollingLoop({
      pass: () => this.dispatchBatch(),
      batchSize: this.#options.batchSize,
      pollMs: this.#options.pollMs,
      log: this.#log,
      what: 'e-mail dispatch pass',
    });
  }

  /** E-mails claimed, or that a claim being made may take, and not yet done with (at most batchSize). */
  get held(): number {
    return this.#held;
  }

  /** Wakes the dispatcher now (its service does, after a commit that may have queued e-mails). */
  nudge(): void {
    this.#loop?.nudge();
  }

  /**
   * One pass: claims the due e-mails (as many as it may hold, up to batchSize), sends them,
   * records the outcomes; returns how many it claimed. While it may hold none, it claims
   * nothing: the next pass follows as soon as some are done with.
   */
  async dispatchBatch(): Promise<number> {
    const limit = this.#reserve();
    if (limit === 0) return 0;
    let claimed: QueuedEmail[] = [];
    const claimedAt = Date.now();
    try {
      const claim = this.#claim(randomUUID(), limit);
      claimed = await this.#db.em.fork().execute<QueuedEmail[]>(claim.sql, claim.values);
    } finally {
      this.#claimed(limit, claimed.length);
    }
    try {
      await this.#sendAll(claimed, claimedAt);
    } finally {
      this.#release(claimed.length);
    }
    return claimed.length;
  }

  /**
   * The claim of up to `wanted` due e-mails (what the committing transaction may have queued;
   * within what the dispatcher may still hold), for that transaction to send in the statement
   * that commits it (the commit is the claim's): sent once committed, given back at once
   * should the commit's answer be lost. Undefined when nothing is wanted, or while the
   * dispatcher holds all it may: the e-mails then wait for a pass. Claims of commits side
   * by side each take their own share, not all that is left.
   */
  claimAlongCommit(wanted: number): AlongCommit | undefined {
    if (wanted <= 0) return undefined;
    const limit = this.#reserve(wanted);
    if (limit === 0) return undefined;
    const token = randomUUID();
    const claimedAt = Date.now();
    return {
      statement: this.#claim(token, limit),
      committed: (rows) => {
        this.#claimed(limit, rows.length);
        this.#sendClaimed(rows as QueuedEmail[], claimedAt);
      },
      failed: (error, inDoubt) => {
        this.#release(limit);
        if (inDoubt) this.#giveBackClaim(token, error);
      },
    };
  }

  #claim(token: string, limit: number): Statement {
    const { kinds, leaseMs } = this.#options;
    return { sql: CLAIM_DUE_EMAILS, values: [leaseMs / 1000, token, [...kinds], limit] };
  }

  /** Takes what is left of the batchSize e-mails the dispatcher may hold (`wanted` of it at most), for a claim to fill. */
  #reserve(wanted = Infinity): number {
    const limit = Math.max(0, Math.min(wanted, this.#options.batchSize - this.#held));
    this.#held += limit;
    if (limit === 0) this.#moreDue = true;
    return limit;
  }

  /** A claim allowed `limit` e-mails took `count`: the rest are not held; one that took all it could may have left some due. */
  #claimed(limit: number, count: number): void {
    if (count >= limit) this.#moreDue = true;
    this.#release(limit - count);
  }

  /** `count` e-mails are done with (sent, rescheduled, given back or never claimed); a pass follows when more may be due. */
  #release(count: number): void {
    if (count <= 0) return;
    this.#held -= count;
    if (this.#moreDue) {
      this.#moreDue = false;
      this.nudge();
    }
  }

  /**
   * Makes the rows of a claim whose commit may or may not have happened due again, with the
   * attempt it counted taken back: nobody sends them (the committer never learnt it holds
   * them), and the poll would otherwise find them only when the lease ends. Touches nothing
   * when the claim did not commit, or when its lease ended and another claim took its rows.
   * Retried through an outage while a good part of the lease is left; if that fails, the
   * lease is the fallback.
   */
  #giveBackClaim(token: string, error: unknown): void {
    if (!this.#loop) return;
    const log = this.#log.child({ claim: token });
    log.warn({ err: describeError(error).message }, 'a commit that claimed e-mails lost its answer; giving back what it may have claimed');
    void this.#giveBack(token, undefined, 'giving back the e-mails of a commit whose answer was lost', log)
      .then((given) => {
        log.info({ emails: given.length }, given.length > 0 ? 'the commit had claimed e-mails; they are due again' : 'the commit had claimed no e-mail');
        if (given.length > 0) this.nudge();
      }, (err: unknown) => {
        log.error({ err: describeError(err).message }, 'could not give back the e-mails of a commit whose answer was lost; they are sent once their lease ends');
      });
  }

  /** What the claim `token` still holds (of `ids`, when given), due again with its attempt taken back; retried through an outage while half the lease is left. */
  #giveBack(token: string, ids: readonly string[] | undefined, what: string, log: Logger): Promise<{ id: string }[]> {
    const [sql, values] = ids ? [giveBackClaimed('ids'), [[...this.#options.kinds], token, [...ids]]] : [giveBackClaimed('all'), [[...this.#options.kinds], token]];
    return throughOutage(() => this.#db.em.fork().execute<{ id: string }[]>(sql, values), { what, deadline: this.#leaseEnd(), log });
  }

  /**
   * Sends e-mails claimed by a committed claimAlongCommit. Once stopped it sends nothing: the
   * claimed rows wait for their lease to end, and another pass (after a restart) sends them.
   */
  #sendClaimed(claimed: readonly QueuedEmail[], claimedAt: number): void {
    if (claimed.length === 0) return;
    if (!this.#loop) {
      this.#release(claimed.length);
      return;
    }
    const sending = this.#sendAll(claimed, claimedAt).catch((err: unknown) => {
      this.#log.error({ err: describeError(err).message, emails: claimed.length }, 'sending claimed e-mails failed; they are sent again once their lease ends');
    }).finally(() => {
      this.#release(claimed.length);
      this.#sending.delete(sending);
    });
    this.#sending.add(sending);
  }

  /**
   * Sends the e-mails of a claim made at `claimedAt` side by side and records the outcomes (the
   * sent ones in one statement, whatever became of the others). A send not started within
   * half the lease is not made (a send's timeouts fit in the other half).
   */
  async #sendAll(claimed: readonly QueuedEmail[], claimedAt: number): Promise<void> {
    const startBy = claimedAt + this.#options.leaseMs / 2;
    const outcomes = await Promise.allSettled(claimed.map((email) => this.#deliver(email, startBy)));
    await this.#markSent(outcomes.flatMap((o) => (o.status === 'fulfilled' && o.value ? [o.value] : [])));
    const failed = outcomes.find((o) => o.status === 'rejected');
    if (failed) throw failed.reason;
  }

  /** Sends one e-mail in its span; returns it when the SMTP server took it (to be marked sent with the pass's others). */
  async #deliver(email: QueuedEmail, startBy: number): Promise<Sent | undefined> {
    const span = startSpan(`e-mail send ${email.kind}`, SpanKind.CLIENT, contextOfTraceparent(email.traceparent ?? undefined), {
      'email.kind': email.kind, 'email.message_id': email.message_id, 'email.attempt': email.attempts, 'email.subject_key': email.subject_key,
    });
    try {
      const sent = await inSpan(span, () => this.#send(email, startBy));
      endSpan(span, sent ? undefined : 'not sent');
      return sent && { ...sent, span };
    } catch (err) {
      endSpan(span, err);
      throw err;
    }
  }

  async #send(email: QueuedEmail, startBy: number): Promise<Omit<Sent, 'span'> | undefined> {
    const log = this.#log.child({ kind: email.kind, subjectKey: email.subject_key, emailMessageId: email.message_id });
    const to = oneLineHeader(email.recipient);
    if (!isBareAddress(to)) {
      await this.#giveUp(email, `recipient "${to}" is not a single bare e-mail address`, log);
      return undefined;
    }
    try {
      // From and Subject are made one line where the message is composed (mime.ts)
      const { response } = await this.#transport.send({
        from: this.#options.from,
        to,
        subject: email.subject,
        text: email.text_body,
        html: email.html_body,
        messageId: email.message_id,
        date: new Date(email.created_at),
      }, { startBy });
      return { email, response, log };
    } catch (err) {
      if (err instanceof SendNotStartedError) {
        await this.#giveBack(email.claim, [email.id], 'giving back an e-mail no SMTP connection took in time', log).then(
          () => log.warn({ err: err.message }, 'no SMTP connection was free for the e-mail within half its claim\'s lease; it is due again, unattempted'),
          (giveBackErr: unknown) => log.warn({ err: describeError(giveBackErr).message }, 'no SMTP connection was free for the e-mail in time, and it could not be given back; it is sent once its lease ends'));
        return undefined;
      }
      const error = (err as Error).message ?? String(err);
      if (isPermanentRejection(err)) await this.#giveUp(email, error, log);
      else await this.#scheduleRetry(email, error, log);
      return undefined;
    }
  }

  /** One statement for every e-mail of the pass the SMTP server took. */
  async #markSent(sent: readonly Sent[]): Promise<void> {
    if (sent.length === 0) return;
    try {
      // Through a database restart the mark is retried while the lease lasts, rather than resending the mails.
      await throughOutage(() => this.#db.em.fork().execute(
        `update mail.emails set status = 'sent', sent_at = now(), last_error = null where id in (?) and status = 'pending'`, [sent.map((s) => s.email.id)]),
      { what: 'marking e-mails sent', deadline: this.#leaseEnd(), log: this.#log });
      for (const { email, response, log, span } of sent) inSpan(span, () => log.info({ attempts: email.attempts, response }, 'e-mail sent'));
    } catch (err) {
      // Sent but not marked: the lease runs out and the same Message-IDs go out again.
      for (const { log, span } of sent) {
        inSpan(span, () => log.warn({ err: (err as Error).message }, 'e-mail sent but not marked sent; it will be resent with the same Message-ID'));
      }
    }
  }

  async #scheduleRetry(email: QueuedEmail, error: string, log: Logger): Promise<void> {
    if (email.attempts >= this.#options.maxAttempts) {
      await this.#giveUp(email, error, log);
      return;
    }
    const delayMs = retryDelayMs(email.attempts, this.#options.backoffBaseMs, this.#options.backoffMaxMs);
    await throughOutage(() => this.#db.em.fork().execute(
      `update mail.emails set last_error = ?, next_attempt_at = now() + make_interval(secs => ?::float8)
        where id = ? and status = 'pending'`,
      [error.slice(0, 2000), delayMs / 1000, email.id],
    ), { what: 'scheduling an e-mail\'s retry', deadline: this.#leaseEnd(), log });
    log.warn({ attempts: email.attempts, retryInMs: delayMs, err: error }, 'sending an e-mail failed; will retry');
  }

  /** Until when a write about a claimed e-mail is still worth retrying: well inside the claim's lease. */
  #leaseEnd(): number {
    return Date.now() + this.#options.leaseMs / 2;
  }

  async #giveUp(email: QueuedEmail, error: string, log: Logger): Promise<void> {
    await this.#db.em.fork().transactional(async (em) => {
      await em.execute(`update mail.emails set status = 'failed', last_error = ? where id = ? and status = 'pending'`,
        [error.slice(0, 2000), email.id]);
      await this.#options.onGaveUp?.(em, email, error);
    });
    log.error({ attempts: email.attempts, err: error }, 'e-mail could not be sent; marked failed');
  }

  /**
   * Claims nothing more, lets the sends in flight finish (until the deadline, after
   * which their connections are closed and the rows wait for their retry), then
   * closes the SMTP transport.
   */
  async stop(deadline: number): Promise<void> {
    const loop = this.#loop;
    if (!loop) return;
    this.#loop = undefined;
    const halted = Promise.all([loop.halt(), ...this.#sending]);
    const finished = await Promise.race([
      halted.then(() => true),
      new Promise<false>((resolve) => setTimeout(() => resolve(false), Math.max(0, deadline - Date.now())).unref()),
    ]);
    if (!finished) {
      this.#log.warn('e-mail sends still in flight at the shutdown deadline; closing their connections');
      this.#transport.close(true);
      await halted;
    }
    this.#transport.close();
  }
}
