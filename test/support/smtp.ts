// A real SMTP server for tests (smtp-server) that keeps every message it accepts:
// the SMTP envelope, the raw message, its headers, and the decoded subject, text
// and HTML parts (a small MIME reader: enough for what nodemailer writes).
import { randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  readonly envelope: { readonly from: string; readonly to: readonly string[] };
  readonly raw: string;
  /** Header name (lower case) → values, unfolded, in order. */
  readonly headers: ReadonlyMap<string, readonly string[]>;
  readonly messageId: string | undefined;
  readonly subject: string | undefined;
  readonly text: string | undefined;
  readonly html: string | undefined;
  header(name: string): string | undefined;
}

export interface TestSmtpServer {
  readonly port: number;
  readonly url: string;
  readonly mails: ReceivedMail[];
  /** The mails sent to this address (the envelope recipient). */
  to(address: string): ReceivedMail[];
  /** Messages accepted so far, kept or not. */
  readonly accepted: number;
  close(): Promise<void>;
}

/**
 * A port nothing listens on right now (for "SMTP is down", and for a server started there
 * later). Its caller binds it only later, so it is taken below the kernel's ephemeral range
 * (ip_local_port_range): no listen(0) or outgoing connection of another process, such as a
 * test file running beside this one, can be handed it in between. At random, so two files
 * asking at once do not meet; checked on every address, as the health server listens.
 */
export async function freePort(): Promise<number> {
  const [from, to] = [20_000, ephemeralLow() - 1];
  for (let tries = 0; tries < 50; tries++) {
    const port = to > from ? randomInt(from, to + 1) : 0; // no room below the range: any free one
    const free = await new Promise<number | undefined>((resolve, reject) => {
      const server = createServer();
      server.once('error', (err: NodeJS.ErrnoException) => (err.code === 'EADDRINUSE' || err.code === 'EACCES' ? resolve(undefined) : reject(err)));
      server.listen(port, () => {
        const bound = (server.address() as { port: number }).port;
        server.close(() => resolve(bound));
      });
    });
    if (free !== undefined) return free;
  }
  throw new Error(`no free port found in 50 tries between ${from} and ${to}`);
}

/** The first port of the kernel's ephemeral range (Linux; elsewhere IANA's 49152). */
function ephemeralLow(): number {
  try {
    return Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]) || 49_152;
  } catch {
    return 49_152;
  }
}

export interface SmtpServerOptions {
  /** false: accept and forget (the load benchmark, which reads what was sent from the database: parsing and keeping every message cost it a fifth of a core). */
  readonly record?: boolean;
  /** How long the server takes to accept each message once it has it all, as a busy relay does (default 0). */
  readonly acceptDelayMs?: number;
}

/** Starts an SMTP server on 127.0.0.1 (port 0: any free port) that accepts and records everything. */
export async function startSmtpServer(port = 0, { record = true, acceptDelayMs = 0 }: SmtpServerOptions = {}): Promise<TestSmtpServer> {
  const mails: ReceivedMail[] = [];
  let accepted = 0;
  // a message counts as received once accepted (the client may have given up while it waited)
  const accept = (callback: (err: null, message: string) => void, received = () => {}) => {
    const now = () => {
      accepted += 1;
      received();
      callback(null, 'Message accepted');
    };
    if (acceptDelayMs > 0) setTimeout(now, acceptDelayMs);
    else now();
  };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    closeTimeout: 1000,
    onData(stream, session, callback) {
      if (!record) {
        stream.resume();
        stream.on('end', () => accept(callback));
        return;
      }
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
        const mail = parseMail(raw, { from, to: session.envelope.rcptTo.map((r) => r.address) });
        accept(callback, () => mails.push(mail));
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', () => undefined);
  const bound = (server.server.address() as { port: number }).port;
  return {
    port: bound,
    url: `smtp://127.0.0.1:${bound}`,
    mails,
    to: (address) => mails.filter((m) => m.envelope.to.includes(address)),
    get accepted() {
      return accepted;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

interface Part {
  readonly headers: Map<string, string[]>;
  readonly body: string;
}

function splitPart(raw: string): Part {
  const normalized = raw.replace(/\r\n/g, '\n');
  const end = normalized.indexOf('\n\n');
  const head = end === -1 ? normalized : normalized.slice(0, end);
  const body = end === -1 ? '' : normalized.slice(end + 2);
  const headers = new Map<string, string[]>();
  // Unfold: a line starting with whitespace continues the previous header.
  for (const line of head.replace(/\n[ \t]+/g, ' ').split('\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    headers.set(name, [...(headers.get(name) ?? []), line.slice(colon + 1).trim()]);
  }
  return { headers, body };
}

function param(value: string | undefined, name: string): string | undefined {
  const match = value?.match(new RegExp(`;\\s*${name}="?([^";]+)"?`, 'i'));
  return match?.[1];
}

function decodeQuotedPrintable(text: string): Buffer {
  const soft = text.replace(/=\n/g, '');
  const bytes: number[] = [];
  for (let i = 0; i < soft.length; i++) {
    const c = soft[i];
    if (c === '=' && /^[0-9A-Fa-f]{2}$/.test(soft.slice(i + 1, i + 3))) {
      bytes.push(parseInt(soft.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(c, 'utf8'));
    }
  }
  return Buffer.from(bytes);
}

function decodeBody(part: Part): string {
  const encoding = (part.headers.get('content-transfer-encoding')?.[0] ?? '7bit').toLowerCase();
  if (encoding === 'base64') return Buffer.from(part.body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (encoding === 'quoted-printable') return decodeQuotedPrintable(part.body).toString('utf8');
  return part.body;
}

/** RFC 2047 encoded words (=?utf-8?Q?…?= / =?utf-8?B?…?=) in a header value, decoded. */
export function decodeWords(value: string): string {
  return value
    .replace(/(=\?[^?]+\?[BbQq]\?[^?]*\?=)\s+(?==\?)/g, '$1')
    .replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_, _charset: string, kind: string, text: string) =>
      kind.toUpperCase() === 'B'
        ? Buffer.from(text, 'base64').toString('utf8')
        : decodeQuotedPrintable(text.replace(/_/g, ' ')).toString('utf8'));
}

function collectBodies(part: Part, out: { text?: string; html?: string }): void {
  const type = part.headers.get('content-type')?.[0] ?? 'text/plain';
  const mime = type.split(';')[0].trim().toLowerCase();
  if (mime.startsWith('multipart/')) {
    const boundary = param(type, 'boundary');
    if (!boundary) return;
    const sections = part.body.split(`--${boundary}`);
    // Drop the preamble and everything from the closing delimiter on.
    for (const section of sections.slice(1)) {
      if (section.startsWith('--')) break;
      collectBodies(splitPart(section.replace(/^\n/, '')), out);
    }
    return;
  }
  const decoded = decodeBody(part).replace(/\n$/, '');
  if (mime === 'text/plain' && out.text === undefined) out.text = decoded;
  if (mime === 'text/html' && out.html === undefined) out.html = decoded;
}

export function parseMail(raw: string, envelope: { from: string; to: string[] }): ReceivedMail {
  const top = splitPart(raw);
  const bodies: { text?: string; html?: string } = {};
  collectBodies(top, bodies);
  const header = (name: string) => top.headers.get(name.toLowerCase())?.[0];
  const subject = header('subject');
  return {
    envelope,
    raw,
    headers: top.headers,
    messageId: header('message-id'),
    subject: subject === undefined ? undefined : decodeWords(subject),
    text: bodies.text,
    html: bodies.html,
    header,
  };
}
