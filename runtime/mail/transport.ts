// The SMTP connections e-mails leave through: a pool of nodemailer's SMTPConnection (its
// documented low-level client), each carrying our composed bytes (runtime/mail/mime.ts).
// nodemailer's own pool would build a MailComposer, a MIME tree and a stream pipeline
// around every raw message and throw them away: 9% of the all-in-one process's CPU flat
// out (inclusive). Timeouts stay well inside the dispatcher's lease, so a hanging server cannot
// make a send outlive the claim it was made under.
//  - A send takes the most recently used free connection (so the others go idle and
//    close). When none is free it waits for the first one that is, a connection freed by
//    another send or one opened for it in the meantime (while fewer than maxConnections
//    are open): opening one costs round trips and often a greeting delay (smtp-server waits
//    100 ms to catch early talkers, postscreen seconds), while a busy connection is free
//    again within milliseconds, so no send waits for a new connection it does not need.
//  - One idle for idleMs is closed with QUIT, long before servers end idle sessions
//    (RFC 5321 asks them to wait 5 minutes), so a send does not race the server's close.
//  - After maxMessages a connection is closed and a new one opened, as relays expect. Its
//    successor is opened a fifth of maxMessages ahead, while it still serves, so that no
//    send waits for a greeting when it retires; once greeted, the successor is the most
//    recently used and takes the sends (the old one goes idle, or serves sends at once).
//  - A send may say by when it must start: one still waiting for a connection then is not
//    made (the dispatcher's claim on it would soon run out, and another pass send it too).
//  - A refused message (5xx or 4xx to MAIL, RCPT or DATA) leaves the session usable
//    after RSET; any other failure closes the connection. The error goes to the
//    dispatcher, which retries later or gives up (runtime/mail/dispatcher.ts).
import SMTPConnection from 'nodemailer/lib/smtp-connection';
import { parseConnectionUrl } from 'nodemailer/lib/shared';
import { composeMime, mailbox, type MimeMail } from './mime.ts';

/** An e-mail to send; its messageId is the stored one, the same on every resend. */
export type OutgoingMail = Omit<MimeMail, 'headers'>;

/** A send that found no connection free by its start-by time: nothing of it went out. */
export class SendNotStartedError extends Error {
  readonly code = 'ENOTSTARTED';
}

export interface MailTransport {
  /**
   * Resolves when the SMTP server accepted the message (with its reply), rejects otherwise;
   * with `startBy` (a Date.now() time), rejects with SendNotStartedError when no connection
   * was free for it by then.
   */
  send(mail: OutgoingMail, options?: { readonly startBy?: number }): Promise<{ response: string }>;
  /** Closes the connections; with force also the ones delivering a message. */
  close(force?: boolean): void;
}

export interface SmtpTransportOptions {
  readonly connectionTimeoutMs?: number;
  readonly socketTimeoutMs?: number;
  readonly maxConnections?: number;
  /** A connection unused this long is closed (default 10 s). */
  readonly idleMs?: number;
  /** Messages per connection before it is replaced (default 100). */
  readonly maxMessages?: number;
}

interface Connection {
  readonly smtp: SMTPConnection;
  messages: number;
  idleTimer: NodeJS.Timeout | undefined;
  closed: boolean;
  /** Its successor is being opened (it nears maxMessages). */
  successorOpened: boolean;
  /** Fails the send on the wire, if any: closing the connection drops its pending reply (SMTPConnection.close). */
  failSending: ((err: Error) => void) | undefined;
}

/** A pooled SMTP transport for the smtp:// or smtps:// URL (credentials and query options as nodemailer reads them). */
export function smtpTransport(url: string, options: SmtpTransportOptions = {}): MailTransport {
  const { auth, ...fromUrl } = parseConnectionUrl(url);
  const connectionTimeout = options.connectionTimeoutMs ?? 10_000;
  const connectionOptions = { ...fromUrl, connectionTimeout, greetingTimeout: connectionTimeout, socketTimeout: options.socketTimeoutMs ?? 30_000 };
  const maxConnections = options.maxConnections ?? 8;
  const idleMs = options.idleMs ?? 10_000;
  const maxMessages = options.maxMessages ?? 100;
  /** The message on a connection at which its successor is opened. */
  const successorAt = Math.max(1, maxMessages - Math.ceil(maxMessages / 5));
  /** Every connection open or opening: at most maxConnections. */
  const all = new Set<Connection>();
  /** Connected and not sending, the most recently used last. */
  const free: Connection[] = [];
  const waiting: { resolve: (c: Connection) => void; reject: (err: Error) => void; startBy: number }[] = [];
  /** Connections being opened (counted in `all` too). */
  let opening = 0;
  let closed = false;

  /** Closes a connection for good; `regrow` opens another for the sends waiting (not for a connection that failed to open: its opener decides). */
  const retire = (c: Connection, how: 'quit' | 'close', regrow = true) => {
    if (c.closed) return;
    c.closed = true;
    clearTimeout(c.idleTimer);
    all.delete(c);
    const at = free.indexOf(c);
    if (at >= 0) free.splice(at, 1);
    if (how === 'quit') c.smtp.quit();
    else c.smtp.close();
    c.failSending?.(Object.assign(new Error('the SMTP connection was closed while a message was on it; the server may or may not have taken it'), { code: 'ECONNECTION' }));
    // the sends waiting may now need a connection in its place
    if (regrow) grow();
  };

  const connect = () => new Promise<Connection>((resolve, reject) => {
    const smtp = new SMTPConnection(connectionOptions);
    const c: Connection = { smtp, messages: 0, idleTimer: undefined, closed: false, successorOpened: false, failSending: undefined };
    all.add(c);
    let settled = false;
    const fail = (err: Error) => {
      // the first failure is the one to report: closing the connection ends it ('end') at once
      const first = !settled;
      settled = true;
      retire(c, 'close', !first);
      if (first) reject(err);
    };
    // A send in flight gets its error through its own callback; an idle one just goes.
    smtp.on('error', fail);
    smtp.once('end', () => fail(Object.assign(new Error('SMTP connection closed before it was ready'), { code: 'ECONNECTION' })));
    smtp.connect((err) => {
      if (err) return fail(err);
      if (settled) return;
      if (!auth || !smtp.allowsAuth) { settled = true; return resolve(c); }
      smtp.login(auth, (loginErr) => {
        if (loginErr) return fail(loginErr);
        if (settled) return;
        settled = true;
        resolve(c);
      });
    });
  });

  /** Opens a connection in the background; once ready it serves a waiting send, or waits in the pool as the most recently used. */
  function openOne(): void {
    opening += 1;
    // connect() counts its connection in `all` at once, before any await
    connect().then(
      (c) => { opening -= 1; release(c); },
      (err: Error) => {
        opening -= 1;
        // With others open or opening, the waiting sends get the next of those. With none,
        // nothing would serve them: they fail with this error (the dispatcher retries later).
        if (all.size === 0) for (const w of waiting.splice(0)) w.reject(err);
      },
    );
  }

  /** Opens connections, short of maxConnections, for the sends waiting beyond those the ones being opened will take. */
  function grow(): void {
    while (!closed && waiting.length > opening && all.size < maxConnections) openOne();
  }

  /** Opens the successor of a connection nearing maxMessages, room permitting (else it is replaced when it retires, as any). */
  function openSuccessor(c: Connection): void {
    if (c.successorOpened || closed || all.size >= maxConnections) return;
    c.successorOpened = true;
    openOne();
  }

  const acquire = async (startBy: number): Promise<Connection> => {
    if (closed) throw new Error('the SMTP transport is closed');
    const c = free.pop();
    if (c) {
      clearTimeout(c.idleTimer);
      return c;
    }
    return new Promise<Connection>((resolve, reject) => {
      waiting.push({ resolve, reject, startBy });
      grow();
    });
  };

  const release = (c: Connection) => {
    if (c.closed) return;
    if (closed || c.messages >= maxMessages) return retire(c, 'quit');
    let next = waiting.shift();
    while (next && next.startBy < Date.now()) {
      next.reject(new SendNotStartedError(`no SMTP connection was free for the message within its time (${waiting.length} more waiting)`));
      next = waiting.shift();
    }
    if (next) return next.resolve(c);
    free.push(c);
    c.idleTimer = setTimeout(() => retire(c, 'quit'), idleMs);
    c.idleTimer.unref();
  };

  const sendOn = (c: Connection, envelope: { from: string; to: string[] }, raw: string) => new Promise<string>((resolve, reject) => {
    c.messages += 1;
    if (c.messages >= successorAt) openSuccessor(c);
    c.failSending = reject;
    c.smtp.send(envelope, raw, (err, info) => {
      c.failSending = undefined;
      if (!err) {
        release(c);
        return resolve(String(info.response ?? ''));
      }
      const e = err as Error & { code?: string; responseCode?: number };
      if ((e.code === 'EENVELOPE' || e.code === 'EMESSAGE') && e.responseCode !== 421 && !c.closed) {
        // the server refused this message; the session itself is fine once reset
        c.smtp.reset((resetErr) => (resetErr ? retire(c, 'close') : release(c)));
      } else {
        retire(c, 'close');
      }
      reject(err);
    });
  });

  return {
    async send(mail, { startBy = Infinity } = {}) {
      const envelope = { from: mailbox(mail.from).address, to: [mail.to] };
      const raw = composeMime({ ...mail, headers: { 'Auto-Submitted': 'auto-generated' } });
      const c = await acquire(startBy);
      return { response: await sendOn(c, envelope, raw) };
    },
    close(force = false) {
      closed = true;
      for (const w of waiting.splice(0)) w.reject(new Error('the SMTP transport is closed'));
      for (const c of [...free]) retire(c, 'quit');
      if (force) {
        // the rest are delivering: their sends fail with the closed connection
        for (const c of [...all]) retire(c, 'close');
      }
    },
  };
}
