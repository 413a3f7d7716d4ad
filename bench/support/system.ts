// The system under measurement, as it runs in production: every service in one
// process (`npm start`), or one process per service as docker-compose.yml runs them
// (SERVICE=<name>; the api on PORT, the others with a health port). In both, payment
// charges through the simulated card processor in a process of its own, and e-mails go
// to an SMTP server in a process of its own (bench/support/smtp-sink.ts). Runtime defaults
// apply unless a setting says otherwise. All output goes to one log file, never to the
// terminal. stop() ends every process it started, by pid, and is safe to call twice.
import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { closeSync, openSync } from 'node:fs';
import path from 'node:path';
import { serviceNames } from '../../generated/registry.ts';
import { eventually, type TestEnv } from '../../test/support/env.ts';
import { serviceNodeFlags, serviceStartEnv } from '../../test/support/start-command.ts';
import { freePort } from '../../test/support/smtp.ts';
import type { Mode } from './options.ts';

const ROOT = path.join(import.meta.dirname, '..', '..');
const MAIN = path.join(ROOT, 'runtime', 'main.ts');
const PROVIDER = path.join(ROOT, 'simulators', 'payment-provider', 'main.ts');
const SMTP_SINK = path.join(ROOT, 'bench', 'support', 'smtp-sink.ts');
const START_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 20_000;

export interface SystemProcess {
  /** The service it runs ('all' in one process; 'payment-provider' is the simulated card processor). */
  readonly name: string;
  readonly pid: number;
  /** Ours (the shop's services) or the stand-in for a system outside the shop. */
  readonly role: 'shop' | 'outside';
  /** What an outside process stands for, for the report ("simulated card processor"). */
  readonly standsFor?: string;
}

export interface BenchSystem {
  readonly apiUrl: string;
  readonly processes: readonly SystemProcess[];
  stop(): Promise<void>;
}

interface Started {
  readonly info: SystemProcess;
  readonly child: ChildProcess;
  readonly exited: Promise<void>;
}

export async function startBenchSystem(options: {
  mode: Mode; env: TestEnv; logFile: string; settings: Readonly<Record<string, string>>;
  /** How the system's processes reach the run's database (through a fault's proxy, say); the run's own URL by default. */
  databaseUrl?: string;
}): Promise<BenchSystem> {
  const { mode, env, logFile, settings, databaseUrl = env.databaseUrl } = options;
  const started: Started[] = [];
  const launch = (name: string, script: string, role: SystemProcess['role'], vars: Record<string, string>, standsFor?: string): Started => {
    const fd = openSync(logFile, 'a');
    const shop = role === 'shop';
    const child = spawn(process.execPath, [...(shop ? serviceNodeFlags() : []), script], { cwd: ROOT, env: { ...process.env, ...(shop ? serviceStartEnv() : {}), ...vars }, stdio: ['ignore', fd, fd] });
    closeSync(fd);
    if (child.pid === undefined) throw new Error(`could not start ${name} (${script}); see ${logFile}`);
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const one = { info: { name, pid: child.pid, role, ...(standsFor ? { standsFor } : {}) }, child, exited };
    started.push(one);
    return one;
  };
  const ready = async (one: Started, what: string, answers: () => Promise<boolean>) => eventually(async () => {
    if (one.child.exitCode !== null || one.child.signalCode !== null) {
      throw new Error(`${one.info.name} (pid ${one.info.pid}) exited with ${one.child.exitCode ?? one.child.signalCode} while starting; see ${logFile}`);
    }
    return answers();
  }, `${one.info.name} (pid ${one.info.pid}) to ${what}`, START_TIMEOUT_MS, 250).catch((err: Error) => {
    // Without this the cause (the process died) would hide behind "timed out".
    throw new Error(`${err.message}; see ${logFile}`);
  });
  const readyHttp = (one: Started, url: string) => ready(one, `answer ${url} with 200`, async () => (await fetch(url)).status === 200);
  const stop = async () => {
    for (const one of started) if (one.child.exitCode === null && one.child.signalCode === null) one.child.kill('SIGTERM');
    const timer = setTimeout(() => {
      for (const one of started) if (one.child.exitCode === null && one.child.signalCode === null) one.child.kill('SIGKILL');
    }, STOP_TIMEOUT_MS);
    try {
      await Promise.all(started.map((one) => one.exited));
    } finally {
      clearTimeout(timer);
    }
  };

  try {
    const apiPort = await freePort();
    const apiUrl = `http://127.0.0.1:${apiPort}`;
    // The card processor is a system outside the shop in either mode, as in production:
    // embedded in the all-in-one process, its keys and CPU would count as ours.
    const providerPort = await freePort();
    const provider = launch('payment-provider', PROVIDER, 'outside', { ...settings, PAYMENT_PROVIDER_PORT: String(providerPort) }, 'simulated card processor');
    await readyHttp(provider, `http://127.0.0.1:${providerPort}/health`);
    const gateway = { PAYMENT_GATEWAY_URL: `http://127.0.0.1:${providerPort}` };
    // So is the mail relay: in the benchmark's driver, the SMTP replies waited for its event loop.
    const smtpPort = await freePort();
    const smtp = launch('smtp-server', SMTP_SINK, 'outside', { ...settings, SMTP_SINK_PORT: String(smtpPort) }, 'SMTP server');
    await ready(smtp, `greet on SMTP port ${smtpPort}`, () => greets(smtpPort));
    const common = { AMQP_URL: env.amqpUrl, DATABASE_URL: databaseUrl, SMTP_URL: `smtp://127.0.0.1:${smtpPort}` };
    if (mode === 'all-in-one') {
      const all = launch('all', MAIN, 'shop', { ...settings, ...common, ...gateway, PORT: String(apiPort) });
      await readyHttp(all, `${apiUrl}/ready`);
    } else {
      const waits: Promise<unknown>[] = [];
      for (const name of serviceNames) {
        const healthPort = name === 'api' ? apiPort : await freePort();
        const vars: Record<string, string> = { ...settings, ...common, SERVICE: name };
        if (name === 'api') vars.PORT = String(apiPort);
        else vars.HEALTH_PORT = String(healthPort);
        if (name === 'payment') Object.assign(vars, gateway);
        waits.push(readyHttp(launch(name, MAIN, 'shop', vars), `http://127.0.0.1:${healthPort}/ready`));
      }
      await Promise.all(waits);
    }
    return { apiUrl, processes: started.map((one) => one.info), stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** True once a server on the port sends an SMTP greeting (220). */
function greets(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.setTimeout(2000, () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('data', (greeting) => {
      socket.destroy();
      resolve(greeting.toString('latin1').startsWith('220'));
    });
    socket.once('error', () => resolve(false));
  });
}
