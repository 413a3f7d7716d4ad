// The composed e-mail (runtime/mail/mime.ts) as an independent reader sees it:
// mailparser, the parser behind MailDev, must get back exactly the subject, sender,
// text and HTML we put in, whatever characters they hold, and every line on the
// wire must be ASCII and within the limits SMTP and RFC 5322 set.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import { composeMime, encodedWords, quotedPrintableLine, rfc5322Date, type MimeMail } from '../runtime/mail/mime.ts';

const base: MimeMail = {
  from: 'Shop <orders@shop.example>',
  to: 'customer@example.com',
  subject: 'Thank you for your order 8f14e45f',
  text: 'Hello,\n\nthank you for your order.\n',
  html: '<!doctype html>\n<p>Hello,</p>\n',
  messageId: '<order-confirmation.8f14e45f-ceea-4b2e-9c1c-6ab2b2a0c001@shop.example>',
  date: new Date('2026-11-26T16:55:32.123Z'),
  headers: { 'Auto-Submitted': 'auto-generated' },
};

async function parse(raw: string): Promise<ParsedMail> {
  return simpleParser(raw, { skipHtmlToText: true, skipTextToHtml: true, skipTextLinks: true, skipImageLinks: true });
}

/**
 * The message on the wire: ASCII, CRLF line breaks, every line within RFC 5322's
 * recommended 78 characters, but the Message-ID's (a msg-id cannot be folded).
 */
function assertWire(raw: string): void {
  assert.ok(/^[\x00-\x7f]*$/.test(raw), 'the message is ASCII');
  assert.ok(raw.endsWith('\r\n'), 'the message ends with CRLF');
  assert.not.ok(/[^\r]\n|\r[^\n]/.test(raw), 'every line break is CRLF');
  for (const line of raw.split('\r\n')) {
    const max = line.startsWith('Message-ID: ') ? 998 : 78;
    assert.ok(line.length <= max, `line of ${line.length} characters: ${line.slice(0, 80)}`);
  }
}

const address = (value: AddressObject | AddressObject[] | undefined) => (Array.isArray(value) ? value[0] : value)?.value[0];

test('an ASCII mail goes as 7bit parts and reads back exactly', async () => {
  const raw = composeMime(base);
  assertWire(raw);
  assert.match(raw, /^From: Shop <orders@shop\.example>\r\n/);
  assert.match(raw, '\r\nContent-Transfer-Encoding: 7bit\r\n');
  assert.not.match(raw, 'quoted-printable');
  const mail = await parse(raw);
  assert.equal(address(mail.from), { name: 'Shop', address: 'orders@shop.example' });
  assert.is(address(mail.to)?.address, 'customer@example.com');
  assert.is(mail.subject, base.subject);
  assert.is(mail.messageId, base.messageId);
  assert.is(mail.date?.toISOString(), '2026-11-26T16:55:32.000Z');
  assert.is(mail.headers.get('auto-submitted'), 'auto-generated');
  assert.is(mail.headers.get('mime-version'), '1.0');
  assert.is(mail.text, base.text);
  assert.is(mail.html, base.html);
});

test('non-ASCII subject, sender name, text and HTML read back exactly', async () => {
  const unicode: MimeMail = {
    ...base,
    from: 'Café Müller – Bestellungen <orders@shop.example>',
    subject: 'Ihre Bestellung: 2 × Kaffeemühle „Zürich" für 194,97 € ✔ 注文ありがとうございます 🎉 and a long tail of words to fold',
    text: 'Grüße aus Köln!\n- 2 x Kaffeemühle (P-1), 97.49 € each\n注文 🎉\n',
    html: '<p>Grüße aus Köln! <strong>194,97 €</strong> 注文 🎉</p>\n',
  };
  const raw = composeMime(unicode);
  assertWire(raw);
  assert.match(raw, '\r\nContent-Transfer-Encoding: quoted-printable\r\n');
  const mail = await parse(raw);
  assert.equal(address(mail.from), { name: 'Café Müller – Bestellungen', address: 'orders@shop.example' });
  assert.is(mail.subject, unicode.subject);
  assert.is(mail.text, unicode.text);
  assert.is(mail.html, unicode.html);
});

test('lines over 998 characters, trailing spaces, dots and "=" survive as quoted-printable', async () => {
  const long = `<td>${'Extra-long product name '.repeat(60)}</td>`;
  const text = `a line ending in spaces   \n.\n..leading dots\n= and =3D and =?utf-8?B?eA==?=\n\ttab\t\n${'x'.repeat(2000)}\n`;
  const raw = composeMime({ ...base, subject: 'plain =?utf-8?B?eA==?= looking', text, html: `${long}\n` });
  assertWire(raw);
  const mail = await parse(raw);
  assert.is(mail.subject, 'plain =?utf-8?B?eA==?= looking', 'a subject that looks encoded is encoded, so it reads back as written');
  assert.is(mail.text, text);
  assert.is(mail.html, `${long}\n`);
});

test('CR and LF in a header value cannot add a header; a recipient list is refused', async () => {
  const raw = composeMime({ ...base, subject: 'Socks\r\nBcc: attacker@evil.example\r\n\r\n<h1>forged body</h1>' });
  const mail = await parse(raw);
  assert.is(mail.subject, 'Socks Bcc: attacker@evil.example <h1>forged body</h1>');
  assert.not.ok(mail.headers.has('bcc'));
  assert.is(mail.text, base.text);
  assert.throws(() => composeMime({ ...base, to: 'a@example.com, b@example.com' }), /not a single bare address/);
  assert.throws(() => composeMime({ ...base, to: 'a@example.com\r\nBcc: b@example.com' }), /not a single bare address/);
  assert.throws(() => composeMime({ ...base, headers: { 'X-Bad Name': 'v' } }), /not a header name/);
});

test('sender names that need quoting are quoted; a bare sender stays bare', async () => {
  for (const [from, expected] of [
    ['"Shop, Inc." <orders@shop.example>', { name: 'Shop, Inc.', address: 'orders@shop.example' }],
    ['Shop "Best" (EU) <orders@shop.example>', { name: 'Shop "Best" (EU)', address: 'orders@shop.example' }],
    ['orders@shop.example', { name: '', address: 'orders@shop.example' }],
  ] as const) {
    const mail = await parse(composeMime({ ...base, from }));
    assert.equal(address(mail.from), expected, from);
  }
});

test('a body holding boundary-like text cannot end its part early', async () => {
  const text = '--=_shop_0\n--=_shop_\n=_shop_ffffffffffffffffffffffff--\n';
  const mail = await parse(composeMime({ ...base, text }));
  assert.is(mail.text, text);
  assert.is(mail.html, base.html);
});

test('random text of every kind of character reads back exactly (200 seeded cases)', async () => {
  let seed = 42;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const alphabet = ['a', 'Z', ' ', '\t', '.', '=', '-', '_', '?', '\n', 'ü', '€', '注', '🎉', '<', '"', '\\'];
  const randomText = (n: number) => Array.from({ length: n }, () => alphabet[Math.floor(next() * alphabet.length)]).join('');
  for (let i = 0; i < 200; i++) {
    const text = `${randomText(Math.floor(next() * 400))}\n`;
    const subject = randomText(Math.floor(next() * 120)).replace(/[\t\n]/g, ' ').replace(/ +/g, ' ').trim();
    const raw = composeMime({ ...base, subject, text, html: text });
    assertWire(raw);
    const mail = await parse(raw);
    assert.is(mail.text, text, `case ${i}`);
    assert.is(mail.html, text, `case ${i}`);
    assert.is(mail.subject ?? '', subject, `case ${i}`);
  }
});

test('the pieces: quoted-printable lines, encoded-words and the date', () => {
  assert.is(quotedPrintableLine('a=b c '), 'a=3Db c=20');
  assert.is(quotedPrintableLine('ü'), '=C3=BC');
  for (const line of quotedPrintableLine('é'.repeat(100)).split('\r\n')) {
    assert.ok(line.length <= 76);
    assert.ok(/^(=[0-9A-F]{2})*=?$/.test(line), 'no encoded byte is split by a soft break');
  }
  for (const word of encodedWords('🎉'.repeat(40)).split('\r\n ')) {
    assert.ok(word.length <= 75, `encoded-word of ${word.length}`);
    assert.ok(Buffer.from(word.slice(10, -2), 'base64').toString('utf8').split('').every((c) => c !== '\ufffd'), 'no character is split between words');
  }
  assert.is(rfc5322Date(new Date('2026-01-05T03:04:05Z')), 'Mon, 05 Jan 2026 03:04:05 +0000');
  assert.throws(() => rfc5322Date(new Date('nope')), /no valid date/);
});

test.run();
