// test-time-limit: 60s
// The SMTP transport's pool (runtime/mail/transport.ts) against a real SMTP server of the
// tests' own (smtp-server, to see its connections): sends share at most maxConnections
// connections and reuse them; a refused recipient fails its own send and leaves the
// session usable; a connection idle for idleMs is closed, one that carried maxMessages
// is replaced, its successor opened while it still serves; a server that is down fails
// the send and nothing else; a send not started by its time is not made; close() fails the
// sends still waiting.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SMTPServer } from 'smtp-server';
import { SendNotStartedError, smtpTransport, type MailTransport, type OutgoingMail, type SmtpTransportOptions } from '../runtime/mail/transport.ts';
import { composeMime } from '../runtime/mail/mime.ts';
import { eventually } from './support/env.ts';
import { freePort } from './support/smtp.ts';

interface CountingServer {
  readonly url: string;
  readonly port: number;
  /** Raw messages accepted, with their envelope recipient. */
  readonly accepted: { readonly to: string; readonly raw: string }[];
  /** Connections opened so far, open now, and the most open at once. */
  readonly connections: { opened: number; open: number; mostAtOnce: number };
  /** Messages accepted on each connection, in the order the connections were opened. */
  readonly messagesPerConnection: () => number[];
  /** Greets no new connection until the returned function is called, as a server with a long greeting delay (postscreen). */
  holdGreetings(): () => void;
  close(): Promise<void>;
}

/** Accepts everything but recipients starting with "refused" (550); delays each message by delayMs. */
async function countingServer(port = 0, delayMs = 0): Promise<CountingServer> {
  const accepted: { to: string; raw: string }[] = [];
  const connections = { opened: 0, open: 0, mostAtOnce: 0 };
  const perConnection = new Map<string, number>();
  let greetingsHeld: Promise<void> | undefined;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    closeTimeout: 500,
    onConnect(session, callback) {
      perConnection.set(session.id, 0);
      connections.opened += 1;
      connections.open += 1;
      connections.mostAtOnce = Math.max(connections.mostAtOnce, connections.open);
      if (greetingsHeld) void greetingsHeld.then(() => callback());
      else callback();
    },
    onClose() {
      connections.open -= 1;
    },
    onRcptTo(address, _session, callback) {
      if (address.address.startsWith('refused')) return callback(Object.assign(new Error('no such mailbox'), { responseCode: 550 }));
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        accepted.push({ to: session.envelope.rcptTo[0]!.address, raw: Buffer.concat(chunks).toString('utf8') });
        perConnection.set(session.id, (perConnection.get(session.id) ?? 0) + 1);
        setTimeout(() => callback(null, 'queued as test'), delayMs);
      });
    },
  });
  server.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const bound = (server.server.address() as { port: number }).port;
  return {
    url: `smtp://127.0.0.1:${bound}`, port: bound, accepted, connections, messagesPerConnection: () => [...perConnection.values()],
    holdGreetings() {
      let release!: () => void;
      greetingsHeld = new Promise<void>((resolve) => { release = resolve; });
      return () => { greetingsHeld = undefined; release(); };
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function mail(to: string, n = 0): OutgoingMail {
  return {
    from: 'Shop <shop@example.test>', to, subject: `Order ${n}`, text: `Hello ${n}\n.\n..dots stay\n`, html: `<p>Hello ${n}</p>`,
    messageId: `<m${n}.${to.split("@")[0]}@example.test>`, date: new Date('2026-01-02T03:04:05Z'),
  };
}

/** Runs `body` against a fresh counting server (each message held delayMs) and a pool over it; closes both whatever happens. */
async function withPool(options: SmtpTransportOptions, body: (server: CountingServer, transport: MailTransport) => Promise<void>, delayMs = 0): Promise<void> {
  const server = await countingServer(0, delayMs);
  const transport = smtpTransport(server.url, options);
  try {
    await body(server, transport);
  } finally {
    transport.close(true);
    await server.close();
  }
}

test('many sends at once share at most maxConnections connections, and the server gets our bytes unchanged', () => withPool({ maxConnections: 3 }, async (server, transport) => {
  const sent = await Promise.all(Array.from({ length: 30 }, (_, i) => transport.send(mail(`c${i}@example.test`, i))));
  assert.ok(sent.every((s) => s.response.includes('queued as test')), sent[0]!.response);
  assert.is(server.accepted.length, 30);
  assert.ok(server.connections.mostAtOnce <= 3, `${server.connections.mostAtOnce} connections at once`);
  assert.ok(server.connections.opened <= 3, `${server.connections.opened} connections opened for 30 messages`);
  const one = server.accepted.find((a) => a.to === 'c7@example.test')!;
  const expected = composeMime({ ...mail('c7@example.test', 7), headers: { 'Auto-Submitted': 'auto-generated' } });
  // the server's reader undoes the dot-stuffing and keeps the line ends; each composition draws its own boundary
  const same = (raw: string) => raw.replace(/\r\n$/, '').replaceAll(/=_shop_[0-9a-f]+/g, '=_shop_B');
  assert.is(same(one.raw), same(expected));
  assert.ok(one.raw.includes('\r\n..dots stay'), 'a line of dots arrives as written');
}, 20));

test('sends one after the other reuse one connection', () => withPool({ maxConnections: 8 }, async (server, transport) => {
  for (let i = 0; i < 5; i++) await transport.send(mail('seq@example.test', i));
  assert.is(server.accepted.length, 5);
  assert.is(server.connections.opened, 1);
}));

test('a refused recipient fails its own send with the server\'s answer, and the session goes on after RSET', () => withPool({ maxConnections: 1 }, async (server, transport) => {
  await transport.send(mail('before@example.test'));
  const err = await transport.send(mail('refused@example.test')).then(() => undefined, (e: Error & { code?: string; responseCode?: number }) => e);
  assert.ok(err, 'the refused recipient fails');
  assert.is(err!.code, 'EENVELOPE');
  assert.is(err!.responseCode, 550);
  await transport.send(mail('after@example.test'));
  assert.equal(server.accepted.map((a) => a.to), ['before@example.test', 'after@example.test']);
  assert.is(server.connections.opened, 1, 'the connection outlived the refusal');
}));

test('a connection idle for idleMs is closed; the next send opens another', () => withPool({ maxConnections: 4, idleMs: 100 }, async (server, transport) => {
  await transport.send(mail('idle@example.test'));
  assert.is(server.connections.open, 1);
  await eventually(async () => server.connections.open === 0, 'the idle connection is closed', 5_000);
  await transport.send(mail('idle@example.test', 1));
  assert.is(server.accepted.length, 2);
  assert.is(server.connections.opened, 2);
}));

// Not with a short idleMs as well: a successor greeted while its predecessor still serves
// waits idle, and on a busy machine it could be closed for that before its first send.
test('a connection that carried maxMessages is replaced', () => withPool({ maxConnections: 4, maxMessages: 3 }, async (server, transport) => {
  for (let i = 0; i < 7; i++) await transport.send(mail('many@example.test', i));
  assert.is(server.accepted.length, 7);
  // which connection takes a send depends on when each successor is greeted; none takes a fourth
  const carried = server.messagesPerConnection();
  assert.ok(carried.every((n) => n <= 3), `messages per connection: ${carried}`);
  assert.ok(carried.length >= 3, `seven messages at three at most per connection took ${carried.length} connections`);
}));

test('a connection nearing maxMessages has its successor opened while it still serves: no send waits for a greeting when it retires', () => withPool({ maxConnections: 4, maxMessages: 5 }, async (server, transport) => {
  // the successor of a connection carrying five at most is opened at its fourth message
  for (let i = 0; i < 4; i++) await transport.send(mail('seq@example.test', i));
  await eventually(async () => server.connections.opened === 2, 'the successor opened with no send waiting for it', 5_000);
  // From now on a new connection is never greeted: a send that waited for one would never end.
  const release = server.holdGreetings();
  try {
    const sends = (async () => { for (let i = 4; i < 8; i++) await transport.send(mail('seq@example.test', i)); })();
    await Promise.race([sends, new Promise((_, reject) => setTimeout(() => reject(new Error('a send waited for a new connection\'s greeting')), 5_000).unref())]);
  } finally {
    release();
  }
  assert.is(server.accepted.length, 8);
}));

test('a server that is down fails the send (nothing else), and the next send after it is back goes through', async () => {
  const port = await freePort();
  const transport = smtpTransport(`smtp://127.0.0.1:${port}`, { maxConnections: 2, connectionTimeoutMs: 2_000 });
  try {
    const failures = await Promise.all([1, 2, 3].map((i) => transport.send(mail('down@example.test', i)).then(() => undefined, (e: Error) => e)));
    for (const f of failures) {
      assert.instance(f, Error);
      assert.match(f!.message, /ECONNREFUSED/, 'the error says why');
    }
    const server = await countingServer(port);
    try {
      await transport.send(mail('back@example.test'));
      assert.is(server.accepted.length, 1);
    } finally {
      transport.close(true);
      await server.close();
    }
  } finally {
    transport.close(true);
  }
});

test('a server that closes a kept connection: the next send opens another', async () => {
  const server = await countingServer();
  const transport = smtpTransport(server.url, { maxConnections: 1 });
  try {
    await transport.send(mail('first@example.test'));
    await server.close(); // ends the idle session, as a server's idle timeout would
    const again = await countingServer(server.port);
    try {
      await eventually(async () => server.connections.open === 0, 'the first server let its session go', 5_000);
      await transport.send(mail('second@example.test'));
      assert.is(again.accepted.length, 1);
    } finally {
      transport.close(true);
      await again.close();
    }
  } finally {
    transport.close(true);
  }
});

test('a send that finds every connection busy takes the first one freed, not the new one opened for it', () => withPool({ maxConnections: 4 }, async (server, transport) => {
  await transport.send(mail('first@example.test'));
  // From now on a new connection is never greeted: a send that waited for one would never end.
  const release = server.holdGreetings();
  try {
    await Promise.all([transport.send(mail('a@example.test', 1)), transport.send(mail('b@example.test', 2))]);
    assert.equal(server.accepted.map((a) => a.to).sort(), ['a@example.test', 'b@example.test', 'first@example.test']);
  } finally {
    release();
  }
  // and, once greeted, it joins the pool: two sends at once each get a connection
  await eventually(async () => { await Promise.all([1, 2].map((i) => transport.send(mail(`again${i}@example.test`, i)))); return server.connections.mostAtOnce === 2; },
    'the connection opened in the background is used', 5_000);
}));

test('a send still waiting for a connection at its start-by time is not made: it fails as not started, and the one after it goes', () => withPool({ maxConnections: 1 }, async (server, transport) => {
  const startedAt = Date.now();
  const first = transport.send(mail('on-the-wire@example.test'));
  const late = transport.send(mail('late@example.test'), { startBy: startedAt + 100 }).then(() => undefined, (e: unknown) => e);
  const patient = transport.send(mail('patient@example.test'), { startBy: startedAt + 60_000 });
  await first; // 300 ms on the wire: past the second send's start-by time
  assert.instance(await late, SendNotStartedError);
  await patient;
  assert.equal(server.accepted.map((a) => a.to), ['on-the-wire@example.test', 'patient@example.test']);
}, 300));

test('close(true) fails the send whose message is on the wire, waiting for the server\'s reply: it would otherwise never settle', () => withPool({ maxConnections: 1 }, async (server, transport) => {
  const onTheWire = transport.send(mail('on-the-wire@example.test')).then(() => 'settled as sent', (e: Error) => e);
  await eventually(async () => server.accepted.length === 1, 'the whole message at the server, its reply held', 5_000);
  transport.close(true);
  const outcome = await Promise.race([onTheWire, new Promise<string>((resolve) => setTimeout(() => resolve('not settled 1.5 s after the close'), 1500))]);
  assert.instance(outcome, Error, String(outcome));
  assert.match((outcome as Error).message, 'closed while a message was on it');
}, 2000));

test('close() fails the sends still waiting for a connection, and every send after it', () => withPool({ maxConnections: 1 }, async (server, transport) => {
  const first = transport.send(mail('slow@example.test'));
  const queued = transport.send(mail('queued@example.test')).then(() => undefined, (e: Error) => e);
  await eventually(async () => server.accepted.length === 1, 'the first message is on the wire', 5_000);
  transport.close();
  assert.match((await queued)!.message, /closed/);
  await first; // the one on the wire is delivered
  const after = await transport.send(mail('late@example.test')).then(() => undefined, (e: Error) => e);
  assert.match(after!.message, /closed/);
  assert.equal(server.accepted.map((a) => a.to), ['slow@example.test']);
  await eventually(async () => server.connections.open === 0, 'the delivering connection is closed once it is done', 5_000);
}, 200));

test.run();
