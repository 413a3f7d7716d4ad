// The whole system as one child process (runtime/main.ts, every service) for the
// fault suite: started on a fixed free port so a restart keeps the API's address,
// its output appended to one log file per run for post-mortems, killed or stopped by pid.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { eventually, type TestEnv } from './env.ts';
import { freePort } from './smtp.ts';
import { serviceNodeFlags, serviceStartEnv } from './start-command.ts';

const ROOT = path.join(import.meta.dirname, '..', '..');
const NODE = path.join(ROOT, 'node_modules', '.bin', 'node');
const MAIN = path.join(ROOT, 'runtime', 'main.ts');
export const LOG_DIR = process.env.FAULT_LOG_DIR ?? path.join(tmpdir(), 'fault-suite');

export interface SystemOptions {
  readonly env: TestEnv;
  readonly smtpUrl: string;
  /** Names the log file (<FAULT_LOG_DIR or /tmp/fault-suite>/<label>.log). */
  readonly label: string;
  /** Further environment variables (payment settings, retry delays...). */
  readonly settings?: Record<string, string>;
}

export interface RunningSystem {
  readonly apiUrl: string;
  readonly logFile: string;
  /** The current child's pid (changes on restart). */
  pid(): number;
  /** SIGKILL, and wait for the exit. */
  kill(): Promise<void>;
  /** Starts the process again after a kill or stop, on the same port; resolves when /ready answers 200. */
  start(): Promise<void>;
  /** SIGTERM, and wait for the exit; resolves with the exit code (null when killed). */
  stop(): Promise<number | null>;
  /** Resolves when the current child exits, on its own or not, with its exit code (null when killed). */
  exited(): Promise<number | null>;
  /** Everything the process(es) printed so far. */
  output(): string;
}

/** Starts the system and waits until /ready answers 200 (60 s at most). */
export async function startSystem(options: SystemOptions): Promise<RunningSystem> {
  mkdirSync(LOG_DIR, { recursive: true });
  const logFile = path.join(LOG_DIR, `${options.label}.log`);
  closeSync(openSync(logFile, 'w'));
  const port = await freePort();
  const apiUrl = `http://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  let exit: Promise<number | null> = Promise.resolve(null);

  const start = async () => {
    if (child && child.exitCode === null && child.signalCode === null) throw new Error(`the system is still running (pid ${child.pid})`);
    const fd = openSync(logFile, 'a');
    child = spawn(NODE, [...serviceNodeFlags(), MAIN], {
      cwd: ROOT,
      env: {
        ...process.env,
        ...serviceStartEnv(),
        AMQP_URL: options.env.amqpUrl,
        DATABASE_URL: options.env.databaseUrl,
        SMTP_URL: options.smtpUrl,
        PORT: String(port),
        LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
        // Fast retries: a fault that burns attempts shows up within the run (stricter
        // than the contract's 1 s, 5 s, 30 s); a scenario may pass '' for the contract's.
        RETRY_DELAYS_MS: '200,1000',
        RELAY_POLL_MS: '200',
        SHUTDOWN_TIMEOUT_MS: '5000',
        // An e-mail whose send a fault cut off is sent again when its lease runs out: seconds here, not minutes.
        MAIL_LEASE_MS: '15000',
        // scenarios post from one address faster than a client may
        ORDER_RATE_LIMIT_MAX: '0',
        ...options.settings,
      },
      stdio: ['ignore', fd, fd],
    });
    closeSync(fd);
    const started = child;
    exit = new Promise((resolve) => started.once('exit', (code) => resolve(code)));
    await eventually(async () => {
      if (started.exitCode !== null) throw new Error(`the system exited with ${started.exitCode} while starting; see ${logFile}`);
      return (await fetch(`${apiUrl}/ready`)).status === 200;
    }, `the system (pid ${started.pid}) to answer ${apiUrl}/ready with 200`, 60_000, 200);
  };

  await start();
  return {
    apiUrl,
    logFile,
    pid: () => child?.pid ?? -1,
    start,
    kill: async () => {
      child?.kill('SIGKILL');
      await exit;
    },
    stop: async () => {
      if (!child || child.exitCode !== null || child.signalCode !== null) return child?.exitCode ?? null;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child?.kill('SIGKILL'), 20_000);
      try {
        return await exit;
      } finally {
        clearTimeout(timer);
      }
    },
    exited: () => exit,
    output: () => readFileSync(logFile, 'utf8'),
  };
}
