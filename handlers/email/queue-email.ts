// Queues e-mails as rows of mail.emails in the handling's own transaction: at most
// one per (kind, subject), under a Message-ID derived from both, so the dispatcher can
// only ever send that one message (a crash may resend it, with the same Message-ID,
// never as a second distinct mail). The e-mails of a whole group of messages
// (runtime/group-step.ts) go in one statement. Each row keeps the traceparent of its
// own message's handling: its send is a span of that message's trace.
import type { HandlerContext } from '../../runtime/handler-context.ts';
import { PermanentError } from '../../runtime/errors.ts';
import { activeSpan, effectTraceparent } from '../../runtime/tracing.ts';
import { headerValue, isSingleAddress } from './format.ts';
import type { MailContent } from './templates.ts';
import { uuidv7 } from '../../runtime/uuid-v7.ts';

/** What the e-mail is about; with the subject key (order id, or invoice id for invoices) it names the e-mail. */
export type EmailKind = 'order-confirmation' | 'invoice' | 'cancellation' | 'rejection';

/** Where Message-IDs live: fixed, so the same e-mail always gets the same id. */
const MESSAGE_ID_DOMAIN = 'shop.example';

/** The e-mail's Message-ID: the same for the same kind and subject, whatever resends it. */
export function messageIdFor(kind: EmailKind, subjectKey: string): string {
  return `<${kind}.${subjectKey.replace(/[^A-Za-z0-9-]/g, '')}@${MESSAGE_ID_DOMAIN}>`;
}

export interface EmailToQueue {
  readonly kind: EmailKind;
  /** The order id; the invoice id for an invoice. */
  readonly subjectKey: string;
  readonly to: string;
  readonly content: MailContent;
}

/** An e-mail to queue, with the handling of the message that earns it (its transaction, log and trace). */
export interface EmailOfMessage {
  readonly ctx: Pick<HandlerContext, 'em' | 'log' | 'span'>;
  readonly email: EmailToQueue;
}

/**
 * Queues each e-mail unless one of its kind exists for its subject, all in one
 * statement in the first one's transaction (a group step's messages share one). Of
 * e-mails with the same kind and subject in the list the first is queued, the others
 * not. Each outcome is logged with its own message's log, in its own trace. Returns,
 * in order, true for each e-mail queued now.
 * One recipient that is not a single address fails the call before anything is
 * written (a PermanentError naming it): the runtime then commits the group's messages
 * one by one (runtime/commit-deliveries.ts), so the others are queued and only that
 * message is dead-lettered, with this reason.
 */
export async function queueEmails(emails: readonly EmailOfMessage[]): Promise<boolean[]> {
  if (!emails.length) return [];
  const rows = emails.map(({ ctx, email }) => rowOf(email, effectTraceparent(ctx.span ?? activeSpan())));
  // Only the first e-mail of each kind and subject is offered. PostgreSQL skips a repeat
  // within one statement too (which copy it keeps is not documented), but its RETURNING
  // names the kind and subject, not whose row it kept.
  const keys = emails.map(({ email }) => keyOf(email.kind, email.subjectKey));
  const firstOf = new Map<string, number>();
  keys.forEach((key, i) => {
    if (!firstOf.has(key)) firstOf.set(key, i);
  });
  const offered = [...firstOf.values()].map((i) => rows[i]!);
  const inserted = await emails[0]!.ctx.em.execute<{ kind: EmailKind; subject_key: string }[]>(
    `insert into mail.emails (id, kind, subject_key, recipient, subject, text_body, html_body, message_id, traceparent)
     values ${offered.map(() => '(?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}
     on conflict (kind, subject_key) do nothing
     returning kind, subject_key`,
    offered.flat(),
  );
  const queuedNow = new Set(inserted.map((r) => keyOf(r.kind, String(r.subject_key))));
  return emails.map(({ ctx, email }, i) => {
    const queued = firstOf.get(keys[i]!) === i && queuedNow.has(keys[i]!);
    ctx.log.info({ kind: email.kind, subjectKey: email.subjectKey, emailMessageId: messageIdFor(email.kind, email.subjectKey) },
      queued ? 'e-mail queued' : 'e-mail already queued; not queued again');
    return queued;
  });
}

/** An e-mail's kind and subject as one key (kinds hold no space). */
function keyOf(kind: EmailKind, subjectKey: string): string {
  return `${kind} ${subjectKey}`;
}

/** The values of the e-mail's row, in the insert's column order; refuses a recipient that is not a single address. */
function rowOf(email: EmailToQueue, traceparent: string): unknown[] {
  const to = headerValue(email.to);
  if (!isSingleAddress(to)) throw new PermanentError(`cannot send a ${email.kind} e-mail to "${to}": not a single e-mail address`);
  return [uuidv7(), email.kind, email.subjectKey, to, headerValue(email.content.subject), email.content.text, email.content.html,
    messageIdFor(email.kind, email.subjectKey), traceparent];
}
