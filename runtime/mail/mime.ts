// Our one shape of e-mail (a text and an HTML alternative of the same message) as
// the bytes the SMTP server receives, composed in one pass. nodemailer's general
// MIME tree (streams, per-header normalisation, encoding detection) cost more CPU
// than the SMTP exchange itself: about an eighth of the whole process under load.
// Every header line is ASCII: a non-ASCII or encoded-looking value goes as RFC 2047
// encoded-words; a body is 7bit when it is ASCII in short lines, quoted-printable
// otherwise. Lines end in CRLF; the SMTP client dot-stuffs. The header rules (one line,
// one bare address) are defined here once; the dispatcher checks recipients with them.
import { randomHex } from '../random-hex.ts';

export interface MimeMail {
  /** The From header's value: an address, or "Display Name <address>". */
  readonly from: string;
  /** One bare address (the dispatcher refuses anything else before composing). */
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  /** With its angle brackets. */
  readonly messageId: string;
  readonly date: Date;
  /** Further headers, with ASCII names and one-line values. */
  readonly headers?: Readonly<Record<string, string>>;
}

const CRLF = '\r\n';
/** RFC 5322's recommended line length; encoded-words are at most 75 characters (RFC 2047). */
const FOLD_AT = 78;
/** Base64 of 42 bytes is 56 characters: with "=?utf-8?B?" and "?=" a word is 68, so "Subject: " and one fit in 78. */
const WORD_BYTES = 42;
/** RFC 5322's hard limit for a line, CRLF excluded; a longer body line needs quoted-printable. */
const MAX_7BIT_LINE = 998;

/** The message, ready for SMTP DATA. */
export function composeMime(mail: MimeMail): string {
  const boundary = `=_shop_${randomHex(12)}`;
  const head = [
    header('From', fromValue(mail.from)),
    header('To', bareAddress(mail.to)),
    header('Subject', unstructured(mail.subject)),
    header('Date', rfc5322Date(mail.date)),
    header('Message-ID', messageIdValue(mail.messageId)),
    ...Object.entries(mail.headers ?? {}).map(([name, value]) => header(name, unstructured(value))),
    header('MIME-Version', '1.0'),
    header('Content-Type', `multipart/alternative;${CRLF} boundary="${boundary}"`),
  ];
  return `${head.join('')}${CRLF}${part(boundary, 'text/plain', mail.text)}${part(boundary, 'text/html', mail.html)}--${boundary}--${CRLF}`;
}

function header(name: string, value: string): string {
  if (!/^[!-9;-~]+$/.test(name)) throw new Error(`"${name}" is not a header name`);
  return `${name}: ${value}${CRLF}`;
}

function part(boundary: string, type: string, content: string): string {
  const lines = content.replace(/\r\n?/g, '\n').split('\n');
  // The boundary starts with "=_", which quoted-printable always encodes: only a 7bit body could hold it.
  const sevenBit = lines.every((l) => l.length <= MAX_7BIT_LINE && /^[\t\x20-\x7e]*$/.test(l) && !l.includes(boundary));
  const body = (sevenBit ? lines : lines.map(quotedPrintableLine)).join(CRLF);
  // The CRLF before a boundary belongs to the boundary (RFC 2046 5.1.1): the body's own last line break stays its own.
  return `--${boundary}${CRLF}Content-Type: ${type}; charset=utf-8${CRLF}Content-Transfer-Encoding: ${sevenBit ? '7bit' : 'quoted-printable'}${CRLF}${CRLF}${body}${CRLF}`;
}

const HEX = '0123456789ABCDEF';

/** One line of text in quoted-printable (RFC 2045 6.7): lines of at most 76 characters, soft breaks as "=". */
export function quotedPrintableLine(line: string): string {
  const bytes = Buffer.from(line, 'utf8');
  let out = '';
  let width = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    const last = i === bytes.length - 1;
    const literal = (b >= 33 && b <= 126 && b !== 61) || ((b === 32 || b === 9) && !last);
    const token = literal ? String.fromCharCode(b) : `=${HEX[b >> 4]}${HEX[b & 15]}`;
    if (width + token.length > 75) {
      out += `=${CRLF}`;
      width = 0;
    }
    out += token;
    width += token.length;
  }
  return out;
}

/** A header value on one line: control characters (CR and LF among them) become spaces. */
export function oneLineHeader(value: string): string {
  return value.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').replace(/ {2,}/g, ' ').trim();
}

/** Exactly one bare address: no display name, list, group or comment a header parser could expand. */
export function isBareAddress(value: string): boolean {
  return value.length <= 254 && /^[^\s@,;:<>()[\]\\"]+@[^\s@,;:<>()[\]\\"]+$/.test(value);
}

/** A From value ("Shop <orders@shop.example>" or "orders@shop.example") as its display name and its address. */
export function mailbox(value: string): { readonly name: string; readonly address: string } {
  const line = oneLineHeader(value);
  const match = /^(.*?)\s*<([^<>]+)>$/.exec(line);
  const name = match ? match[1]!.replace(/^"(.*)"$/, '$1').replace(/\\(.)/g, '$1') : '';
  return { name, address: bareAddress(match ? match[2]! : line) };
}

/** A value that needs no encoding: printable ASCII that no reader could take for an encoded-word. */
function plainAscii(value: string): boolean {
  return /^[\x20-\x7e]*$/.test(value) && !value.includes('=?');
}

/** An unstructured header value (Subject): folded at spaces when plain, else encoded-words. */
function unstructured(value: string): string {
  const line = oneLineHeader(value);
  // A word too long for one line cannot be folded: encoded-words can.
  return plainAscii(line) && line.split(' ').every((w) => w.length < FOLD_AT) ? foldAtSpaces(line) : encodedWords(line);
}

function foldAtSpaces(value: string): string {
  const out: string[] = [];
  let current = '';
  for (const word of value.split(' ')) {
    if (current && current.length + 1 + word.length > FOLD_AT - 10) {
      out.push(current);
      current = word;
    } else {
      current = current ? `${current} ${word}` : word;
    }
  }
  out.push(current);
  return out.join(`${CRLF} `);
}

/** The value as RFC 2047 B encoded-words on folded lines, never splitting a character. */
export function encodedWords(value: string): string {
  const words: string[] = [];
  let chunk: string[] = [];
  let size = 0;
  for (const char of value) {
    const bytes = Buffer.byteLength(char, 'utf8');
    if (size + bytes > WORD_BYTES) {
      words.push(chunk.join(''));
      chunk = [];
      size = 0;
    }
    chunk.push(char);
    size += bytes;
  }
  if (chunk.length) words.push(chunk.join(''));
  return words.map((w) => `=?utf-8?B?${Buffer.from(w, 'utf8').toString('base64')}?=`).join(`${CRLF} `);
}

function bareAddress(value: string): string {
  if (!isBareAddress(value)) throw new Error(`"${value}" is not a single bare address`);
  return value;
}

/** A Message-ID as stored: one address-like id in angle brackets. */
function messageIdValue(value: string): string {
  if (!isBareAddress(value.slice(1, -1)) || !value.startsWith('<') || !value.endsWith('>')) throw new Error(`"${value}" is not a Message-ID`);
  return value;
}

// RFC 5322 atext and spaces: a display name of these needs no quotes.
const ATOMS = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~\- ]+$/;

/** "Name <address>" or "address", with the name as atoms, a quoted string or encoded-words. */
function fromValue(value: string): string {
  const { name, address: bare } = mailbox(value);
  if (!name) return bare;
  const address = `<${bare}>`;
  if (!plainAscii(name)) return `${encodedWords(name)}${CRLF} ${address}`;
  return ATOMS.test(name) ? `${name} ${address}` : `"${name.replace(/(["\\])/g, '\\$1')}" ${address}`;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** RFC 5322 date-time in UTC: "Thu, 26 Nov 2026 16:55:32 +0000". */
export function rfc5322Date(date: Date): string {
  if (Number.isNaN(date.getTime())) throw new Error('the e-mail has no valid date');
  const two = (n: number) => String(n).padStart(2, '0');
  return `${DAYS[date.getUTCDay()]}, ${two(date.getUTCDate())} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()} `
    + `${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())} +0000`;
}
