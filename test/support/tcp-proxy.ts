// A TCP proxy on 127.0.0.1 in front of a real server, to make that server unreachable
// on demand (no tc netem here): cut() refuses new connections and drops open ones,
// restore() accepts again on the same port. stall() makes it silent instead, as a server
// whose host died, or a connection a failover left half-open: the open connections stay
// open and pass nothing either way, for ever; with `alsoNew`, so do new ones until
// unstall().
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface TcpProxy {
  readonly port: number;
  /** `url` with its host and port replaced by the proxy's. */
  via(url: string): string;
  cut(): Promise<void>;
  restore(): Promise<void>;
  /** Silences the open connections for good (and new ones too, until unstall, with `alsoNew`); returns how many were silenced. */
  stall(options?: { alsoNew?: boolean }): number;
  /** New connections pass again, and so do the ones silenced with them; those silenced for good stay silent. */
  unstall(): void;
  /** Bytes the client side sent into silenced connections: > 0 means something waited on an answer that never came. */
  readonly unanswered: number;
  /** Connections accepted so far (a reconnect attempt shows as one more). */
  readonly accepted: number;
  /** Connections open now. */
  readonly open: number;
  close(): Promise<void>;
}

/** The default port of each server URL scheme the tests proxy. */
const DEFAULT_PORTS: Record<string, number> = { 'amqp:': 5672, 'postgres:': 5432, 'postgresql:': 5432 };

/** A proxy in front of the server a URL names (its host and port; the scheme's default port if none). */
export async function startTcpProxy(serverUrl: string): Promise<TcpProxy> {
  const url = new URL(serverUrl);
  const targetPort = Number(url.port) || DEFAULT_PORTS[url.protocol];
  if (!targetPort) throw new Error(`startTcpProxy: no port in ${url.protocol}//${url.host}, and no default for ${url.protocol}`);
  const target = { host: url.hostname, port: targetPort };
  const sockets = new Set<Socket>();
  // silent: nothing passes, not even one side's going ('for good' survives unstall());
  // the side that went while its link was silent is told to the other once it passes again
  type Link = { silent: false | 'for good' | 'until unstall'; wake?: () => void };
  const links = new Set<Link>();
  let newOnesSilent = false;
  let unanswered = 0;
  let accepted = 0;
  const server: Server = createServer((client) => {
    accepted += 1;
    const upstream = createConnection(target);
    const link: Link = { silent: newOnesSilent ? 'until unstall' : false };
    links.add(link);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    }
    client.on('close', () => links.delete(link));
    // A going is passed on at once on a link that passes, and held back on a silent one, as
    // a dead host or a half-open connection hides it: the other side learns of it only by
    // its own timeouts, or when the link passes again.
    const going = (to: Socket, how: 'end' | 'destroy') => () => {
      const tell = () => (how === 'end' ? to.end() : to.destroy());
      if (link.silent) link.wake ??= tell;
      else tell();
    };
    client.on('end', going(upstream, 'end'));
    client.on('error', going(upstream, 'destroy'));
    upstream.on('end', going(client, 'end'));
    upstream.on('error', going(client, 'destroy'));
    client.on('data', (chunk: Buffer) => {
      if (link.silent) unanswered += chunk.length;
      else upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => { if (!link.silent) client.write(chunk); });
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  const stop = async () => {
    if (!server.listening) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const s of sockets) s.destroy();
    await closed;
  };
  return {
    port,
    via: (url) => {
      const u = new URL(url);
      u.hostname = '127.0.0.1';
      u.port = String(port);
      return u.toString();
    },
    cut: stop,
    stall: ({ alsoNew = false } = {}) => {
      for (const link of links) link.silent = 'for good';
      newOnesSilent = alsoNew;
      return links.size;
    },
    unstall: () => {
      newOnesSilent = false;
      for (const link of links) {
        if (link.silent !== 'until unstall') continue;
        link.silent = false;
        link.wake?.();
      }
    },
    get unanswered() { return unanswered; },
    get accepted() { return accepted; },
    get open() { return links.size; },
    restore: () => new Promise<void>((resolve, reject) => {
      if (server.listening) return resolve();
      server.once('error', reject).listen(port, '127.0.0.1', () => resolve());
    }),
    close: stop,
  };
}
