// What an e-mail service starts beside its consumer: a dispatcher for its kinds of
// e-mail, sending through SMTP_URL, or through the process's embedded mail catcher
// when SMTP_URL is unset. An e-mail given up on is also reported as a LogEmitted.
import { logEmitted, logRecord } from '../event-log.ts';
import { writeToOutbox } from '../outbox.ts';
import type { ServiceRuntime, Stoppable } from '../service.ts';
import { redactUrl } from '../config.ts';
import { startMailCatcher, type MailCatcher } from './catcher.ts';
import { MailDispatcher, type MailDispatcherOptions } from './dispatcher.ts';
import { smtpTransport } from './transport.ts';

export interface MailerOptions {
  /** The e-mail service, as named in the contract (for its LogEmitted records). */
  readonly service: string;
  readonly kinds: readonly string[];
  /** Overrides of the dispatcher's defaults (tests). */
  readonly dispatcher?: Partial<Omit<MailDispatcherOptions, 'kinds' | 'from'>>;
}

export interface Mailer extends Stoppable {
  /** The embedded mail catcher's web page, when this process runs one. */
  readonly mailCatcherUrl: string | undefined;
}

export async function startMailer(runtime: ServiceRuntime, options: MailerOptions): Promise<Mailer> {
  const { config, db, log } = runtime;
  let catcher: MailCatcher | undefined;
  let smtpUrl = config.smtpUrl;
  if (!smtpUrl) {
    catcher = await startMailCatcher({ log });
    smtpUrl = catcher.smtpUrl;
  }
  const { service } = options;
  const dispatcher = new MailDispatcher(db, smtpTransport(smtpUrl, { maxConnections: config.smtpMaxConnections }), log.child({ component: 'mail-dispatcher' }), {
    batchSize: config.mailBatchSize,
    kinds: options.kinds,
    from: config.mailFrom,
    leaseMs: config.mailLeaseMs,
    pollMs: config.mailPollMs,
    onGaveUp: config.eventLogLevel !== 'off'
      ? async (em, email, error) => {
        const text = `${email.kind} e-mail ${email.message_id} (${email.subject_key}) could not be sent after ${email.attempts} attempt(s); marked failed`;
        await writeToOutbox(em, logEmitted(service, [logRecord('error', text, {}, error)]), { service });
      }
      : undefined,
    ...options.dispatcher,
  });
  dispatcher.start();
  runtime.metrics.watchMailer(service, dispatcher);
  log.info({ kinds: options.kinds, smtp: redactUrl(smtpUrl) }, 'e-mail dispatcher started');
  return {
    mailCatcherUrl: catcher?.webUrl,
    // The service's commit claims the e-mails it queued (one a delivery at most) in its last statement; they go out at once.
    alongCommit: (handled) => dispatcher.claimAlongCommit(handled),
    async stop(deadline) {
      await dispatcher.stop(deadline);
      await catcher?.stop();
    },
  };
}
