// The SMTP connection e-mails leave through (nodemailer, pooled), with timeouts
// well inside the dispatcher's lease, so a hanging server cannot make a send
// outlive the claim it was made under.
import nodemailer from 'nodemailer';

export interface OutgoingMail {
  readonly from: string;
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  /** The stored Message-ID, with its angle brackets: the same on every resend. */
  readonly messageId: string;
  readonly date: Date;
}

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
      const info = await transporter.sendMail({
        from: mail.from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        messageId: mail.messageId,
        date: mail.date,
        headers: { 'Auto-Submitted': 'auto-generated' },
      });
      return { response: String(info.response ?? '') };
    },
    close(force = false) {
      transporter.close({ force });
    },
  };
}
