// The embedded mail catcher (MailDev) the all-in-one run sends to when SMTP_URL is
// unset: SMTP on 127.0.0.1:1025 and a web page (plus a JSON list at /api/email) on
// 127.0.0.1:1080. One per process, however many e-mail services start it; it stops
// with the last of them. It writes only to a fresh directory under /tmp, removed on stop.
import { mkdtemp, rm } from 'node:fs/promises';
import type { Logger } from '../logger.ts';

export interface MailCatcherOptions {
  /** SMTP port; default MAILDEV_SMTP_PORT, else 1025 (0: any free port). */
  readonly smtpPort?: number;
  /** Web port; default MAILDEV_WEB_PORT, else 1080 (0: any free port). */
  readonly webPort?: number;
  readonly log: Logger;
}

export interface MailCatcher {
  readonly smtpUrl: string;
  readonly webUrl: string;
  /** Releases this user's hold; the catcher stops when nobody holds it any more. */
  stop(): Promise<void>;
}

interface Running {
  readonly smtpUrl: string;
  readonly webUrl: string;
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';

let shared: { running: Promise<Running>; users: number } | undefined;

/** A port from the environment variable, or the fallback; anything but an integer 0–65535 stops the start. */
export function portFromEnv(name: string, fallback: number, env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isInteger(port) || port > 65535) throw new Error(`${name}=${raw} is not a port number (0-65535)`);
  return port;
}

/**
 * Starts the process's mail catcher, or joins the one already running (whose ports
 * then win over the ones asked for here).
 */
export async function startMailCatcher(options: MailCatcherOptions): Promise<MailCatcher> {
  if (!shared) {
    const smtpPort = options.smtpPort ?? portFromEnv('MAILDEV_SMTP_PORT', 1025);
    const webPort = options.webPort ?? portFromEnv('MAILDEV_WEB_PORT', 1080);
    const running = launch(smtpPort, webPort, options.log);
    shared = { running, users: 0 };
    running.catch(() => {
      if (shared?.running === running) shared = undefined;
    });
  }
  const current = shared;
  current.users += 1;
  let running: Running;
  try {
    running = await current.running;
  } catch (err) {
    current.users -= 1;
    throw err;
  }
  let released = false;
  return {
    smtpUrl: running.smtpUrl,
    webUrl: running.webUrl,
    async stop() {
      if (released) return;
      released = true;
      current.users -= 1;
      if (current.users > 0) return;
      if (shared === current) shared = undefined;
      await running.stop();
    },
  };
}

/**
 * MailDev is a development tool, a devDependency absent from the production image
 * (npm ci --omit=dev): loaded only here, when SMTP_URL is unset.
 */
async function loadMailDev(): Promise<typeof import('maildev')> {
  try {
    return await import('maildev');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') throw err;
    throw new Error('SMTP_URL is unset and the embedded mail catcher (the development dependency maildev) is not installed: '
      + 'set SMTP_URL to an SMTP server, or install the development dependencies (npm ci).', { cause: err });
  }
}

/**
 * Runs MailDev's start with its console.info (its API server prints "MailDev API running
 * at ..." even when silent) sent to the log at debug, so stdout stays one JSON line per record.
 */
async function quietly<T>(log: Logger, start: () => Promise<T>): Promise<T> {
  const info = console.info;
  console.info = (...args: unknown[]) => log.debug({ component: 'maildev' }, args.map(String).join(' '));
  try {
    return await start();
  } finally {
    console.info = info;
  }
}

async function launch(smtpPort: number, webPort: number, log: Logger): Promise<Running> {
  const { MailDev } = await loadMailDev();
  // MailDev keeps each mail as an .eml file; by default in os.tmpdir()/maildev, shared
  // between runs. A private directory under /tmp keeps it out of everything else.
  const mailDirectory = await mkdtemp('/tmp/maildev-');
  const maildev = new MailDev({
    smtp: smtpPort,
    ip: HOST,
    web: webPort,
    webIp: HOST,
    mailDirectory,
    maxEmails: 1000,
    silent: true,
  });
  let servers;
  try {
    servers = await quietly(log, () => maildev.start());
  } catch (err) {
    // MailDev only stops what it fully started: close the half that is listening.
    const half = (maildev as unknown as { orchestrator?: { smtp?: { stop(): Promise<void> } | null; api?: { stop(): Promise<void> } | null } }).orchestrator;
    await half?.api?.stop().catch(() => undefined);
    await half?.smtp?.stop().catch(() => undefined);
    await rm(mailDirectory, { recursive: true, force: true });
    throw new Error(`the embedded mail catcher could not start on ${HOST}:${smtpPort} (SMTP) and ${HOST}:${webPort} (web): ${(err as Error).message}. `
      + 'Set SMTP_URL to send through another SMTP server, or MAILDEV_SMTP_PORT / MAILDEV_WEB_PORT to move the catcher.');
  }
  const smtp = servers.smtp.getAddress();
  const web = servers.api?.getAddress();
  const smtpUrl = `smtp://${HOST}:${smtp.port}`;
  const webUrl = `http://${HOST}:${web?.port ?? webPort}`;
  log.info({ smtpUrl, webUrl, mailDirectory }, `embedded mail catcher started: read the e-mails at ${webUrl}`);
  return {
    smtpUrl,
    webUrl,
    async stop() {
      await maildev.stop();
      await rm(mailDirectory, { recursive: true, force: true });
      log.info({ smtpUrl, webUrl }, 'embedded mail catcher stopped');
    },
  };
}
