// The SMTP connection e-mails leave through (nodemailer, pooled), with timeouts
// well inside the dispatcher's lease, so a hanging server cannot make a send
// outlive the claim it was made under.
import nodemailer from 'nodemailer';
import { composeMime, mailbox, type MimeMail } from './mime.ts';

/** An e-mail to send; its messageId is the stored one, the same on every resend. */
export type OutgoingMail = Omit<MimeMail, 'headers'>;

export interface MailTransport {
  /** Resolves when the SMTP server accepted the message (with its reply), rejects otherwise. */
  send(mail: OutgoingMail): Promise<{ response: string }>;
  /** Closes the connections; with force also the ones delivering a message. */
  close(force?: boolean): void;
}

export interface SmtpTransportOptions {
  readonly connectionTimeoutMs?: number;
  readonly socketTimeoutMs?: number;
  readonly maxConnections?: number;
}

/** A pooled SMTP transport for the smtp:// or smtps:// URL (credentials and options as nodemailer reads them). */
export function smtpTransport(url: string, options: SmtpTransportOptions = {}): MailTransport {
  const connectionTimeout = options.connectionTimeoutMs ?? 10_000;
  const transporter = nodemailer.createTransport({
    url,
    pool: true,
    maxConnections: options.maxConnections ?? 8,
    connectionTimeout,
    greetingTimeout: connectionTimeout,
    socketTimeout: options.socketTimeoutMs ?? 30_000,
    // Nothing we send names a file or URL to embed; refuse them, whatever a template does.
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  return {
    async send(mail) {
      // Composed here (runtime/mail/mime.ts), so nodemailer only carries the bytes over SMTP.
      const info = await transporter.sendMail({
        envelope: { from: mailbox(mail.from).address, to: [mail.to] },
        raw: composeMime({ ...mail, headers: { 'Auto-Submitted': 'auto-generated' } }),
      });
      return { response: String(info.response ?? '') };
    },
    close(force = false) {
      transporter.close({ force });
    },
  };
}
