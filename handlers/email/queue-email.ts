// Queues an e-mail as a row of mail.emails in the handler's own transaction: at
// most one per (kind, subject), under a Message-ID derived from both, so the
// dispatcher can only ever send that one message (a crash may resend it, with the
// same Message-ID, never as a second distinct mail). The row keeps the handling's
// traceparent: its send is a span of the same trace.
import { randomUUID } from 'node:crypto';
import type { HandlerContext } from '../../runtime/handler-context.ts';
import { PermanentError } from '../../runtime/errors.ts';
import { activeSpan, effectTraceparent } from '../../runtime/tracing.ts';
import { headerValue, isSingleAddress } from './format.ts';
import type { MailContent } from './templates.ts';

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

/** Queues the e-mail unless one of its kind exists for the subject; true when it was queued now. */
export async function queueEmail(ctx: Pick<HandlerContext, 'em' | 'log'>, email: EmailToQueue): Promise<boolean> {
  const to = headerValue(email.to);
  if (!isSingleAddress(to)) throw new PermanentError(`cannot send a ${email.kind} e-mail to "${to}": not a single e-mail address`);
  const messageId = messageIdFor(email.kind, email.subjectKey);
  const inserted = await ctx.em.execute<{ id: string }[]>(
    `insert into mail.emails (id, kind, subject_key, recipient, subject, text_body, html_body, message_id, traceparent)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?)
     on conflict (kind, subject_key) do nothing
     returning id`,
    [randomUUID(), email.kind, email.subjectKey, to, headerValue(email.content.subject), email.content.text, email.content.html, messageId, effectTraceparent(activeSpan())],
  );
  const queued = inserted.length === 1;
  ctx.log.info({ kind: email.kind, subjectKey: email.subjectKey, emailMessageId: messageId },
    queued ? 'e-mail queued' : 'e-mail already queued; not queued again');
  return queued;
}
