// Packaging checks: docker-compose.yml and Dockerfile, read and parsed (no Docker engine
// needed). Each check returns the problems it finds; the real files must have none, and
// the last tests feed mutated copies to show the checks do catch what they claim to.
import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse } from 'yaml';
import { serviceNames } from '../generated/registry.ts';
import { brokerPasswordVariable, composeServicesBlock, withComposeServices, withPrometheusServices } from '../tools/contract-blocks.ts';
import { serviceNodeFlags, serviceStartEnv } from './support/start-command.ts';

type Obj = Record<string, unknown>;
type Compose = Obj & { services: Record<string, Obj> };

const root = new URL('../', import.meta.url);
const composeText = readFileSync(new URL('docker-compose.yml', root), 'utf8');
const dockerfileText = readFileSync(new URL('Dockerfile', root), 'utf8');
const dockerignoreText = readFileSync(new URL('.dockerignore', root), 'utf8');
/** The secrets compose takes from .env, with the example's values (.env.example is what the README says to copy). */
const envExample = Object.fromEntries(readFileSync(new URL('.env.example', root), 'utf8').split('\n')
  .filter((l) => /^[A-Z_][A-Z0-9_]*=/.test(l)).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
const packageJson = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as PackageJson;

interface PackageJson {
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

// Compose (go-yaml) honours `<<` merge keys; the yaml package does with `merge: true`.
const loadCompose = (text: string): Compose => parse(text, { merge: true }) as Compose;
const compose = loadCompose(composeText);

const APP_IMAGE = 'order-pipeline:local';
const INFRA = ['rabbitmq', 'postgres', 'maildev'] as const;
/** Stand-ins for outside parties, run from the app image (not part of the shop). */
const SIMULATORS = ['payment-provider'] as const;
/** Watching the system: reachable from this machine only. */
const MONITORING = ['prometheus', 'grafana', 'jaeger'] as const;
/** One-shot jobs the app services wait for (they exit, so no healthcheck). */
const JOBS = ['broker-setup'] as const;
const prometheusConfig = parse(readFileSync(new URL('deploy/prometheus.yml', root), 'utf8')) as Obj;
const EMAIL_SERVICES = ['cancel-email', 'invoice-email', 'order-confirmation-email'];
const RESTART_POLICIES = new Set(['always', 'unless-stopped', 'on-failure']);
/** Every environment variable the runtime documents. */
const DOCUMENTED_ENV = new Set([
  'AMQP_URL', 'DATABASE_URL', 'SMTP_URL', 'PORT', 'HEALTH_PORT', 'SERVICE',
  'PAYMENT_FAILURE_RATE', 'PAYMENT_LATENCY_MS', 'PAYMENT_SEED', 'LOG_LEVEL', 'MAIL_FROM',
  'PAYMENT_GATEWAY_URL', 'PAYMENT_GATEWAY_TIMEOUT_MS', 'PAYMENT_PROVIDER_PORT', 'PAYMENT_ERROR_RATE', 'PAYMENT_TIMEOUT_RATE',
  'OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_SERVICE_NAME', 'BROKER_SETUP', 'RABBITMQ_MANAGEMENT_URL',
  ...serviceNames.map(brokerPasswordVariable),
]);

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const clone = (c: Compose): Compose => structuredClone(c);

/** `environment` in either map or list form, as strings. */
function envOf(service: Obj): Record<string, string | undefined> {
  const env = service.environment;
  const out: Record<string, string | undefined> = {};
  if (Array.isArray(env)) {
    for (const item of env) {
      const s = String(item);
      const eq = s.indexOf('=');
      if (eq < 0) out[s] = undefined;
      else out[s.slice(0, eq)] = s.slice(eq + 1);
    }
  } else if (isObj(env)) {
    for (const [k, v] of Object.entries(env)) out[k] = v === null || v === undefined ? undefined : String(v);
  }
  return out;
}

interface PortMapping { host?: string; published?: number; target: number }

/** `ports` in short ("[ip:]host:container[/proto]", "container") or long syntax. */
function portsOf(service: Obj): PortMapping[] {
  const ports = service.ports;
  if (!Array.isArray(ports)) return [];
  return ports.map((p): PortMapping => {
    if (isObj(p)) {
      return { target: Number(p.target), published: p.published === undefined ? undefined : Number(p.published), host: p.host_ip as string | undefined };
    }
    const parts = String(p).replace(/\/(tcp|udp)$/, '').split(':');
    const target = Number(parts.pop());
    const published = parts.length ? Number(parts.pop()) : undefined;
    const host = parts.length ? parts.join(':') : undefined;
    return { target, published, host };
  });
}

function healthcheckCommand(service: Obj): string[] {
  const hc = service.healthcheck;
  if (!isObj(hc) || hc.disable === true) return [];
  const t = hc.test;
  if (Array.isArray(t)) return t.map(String);
  if (typeof t === 'string') return ['CMD-SHELL', t];
  return [];
}

function dependsOn(service: Obj): Record<string, string | undefined> {
  const d = service.depends_on;
  const out: Record<string, string | undefined> = {};
  if (Array.isArray(d)) for (const name of d) out[String(name)] = 'service_started';
  else if (isObj(d)) for (const [k, v] of Object.entries(d)) out[k] = isObj(v) ? (v.condition as string | undefined) ?? 'service_started' : undefined;
  return out;
}

/** Variable names interpolated with ${VAR} / $VAR anywhere in a value ($$ is a literal $). */
/** A compose value with its ${VAR...} filled in from .env.example (as `docker compose` would after `cp .env.example .env`). */
function withEnvExample(value: string): string {
  return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)[^}]*\}/g, (_, name: string) => envExample[name] ?? '');
}

function interpolated(value: unknown): string[] {
  const text = JSON.stringify(value).replaceAll('$$', '');
  return [...text.matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]);
}

// ---------------------------------------------------------------- checks on compose

/**
 * Nothing open to the network by default: every published port on 127.0.0.1; no trust
 * authentication, no guest, no password with a default: each comes from .env (`${VAR:?}`),
 * and .env.example names every one of them.
 */
function checkLockedDown(c: Compose): string[] {
  const problems: string[] = [];
  for (const [name, s] of Object.entries(c.services ?? {})) {
    if (!isObj(s)) continue;
    for (const p of portsOf(s)) if (p.published !== undefined && p.host !== '127.0.0.1') problems.push(`${name}: port ${p.published} is published on ${p.host ?? 'every interface'}`);
    const env = envOf(s);
    if (env.POSTGRES_HOST_AUTH_METHOD === 'trust') problems.push(`${name}: PostgreSQL trusts every connection`);
    if (/guest/.test(env.AMQP_URL ?? '')) problems.push(`${name}: connects to RabbitMQ as guest`);
    for (const [key, value] of Object.entries(env)) {
      if (!/(PASS|PASSWORD)$/.test(key) && !/_URL$/.test(key)) continue;
      for (const m of (value ?? '').matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)([^}]*)\}/g)) {
        if (/PASS|PASSWORD/.test(m[1]!) && !m[2]!.startsWith(':?')) problems.push(`${name}: ${key} takes \${${m[1]}} with a default instead of requiring it`);
        if (/PASS|PASSWORD|USER/.test(m[1]!) && !(m[1]! in envExample)) problems.push(`${name}: .env.example does not name ${m[1]}`);
      }
    }
  }
  const rabbit = c.services?.rabbitmq;
  if (isObj(rabbit) && !envOf(rabbit).RABBITMQ_DEFAULT_PASS) problems.push('rabbitmq: no RABBITMQ_DEFAULT_PASS (it would create guest/guest)');
  const mail = c.services?.maildev;
  if (isObj(mail) && !envOf(mail).MAILDEV_WEB_PASS) problems.push('maildev: its web UI has no password');
  return problems;
}

/**
 * One broker identity per service: each app service connects with no user in AMQP_URL,
 * sets no broker up itself, and gets its own AMQP_PASSWORD_<SERVICE> and no other's; only
 * the broker-setup job holds the administrator's password and every service's.
 */
function checkBrokerIdentities(c: Compose): string[] {
  const problems: string[] = [];
  const passwordsOf = (s: Obj) => Object.keys(envOf(s)).filter((k) => k.startsWith('AMQP_PASSWORD_'));
  for (const name of serviceNames) {
    const s = c.services?.[name];
    if (!isObj(s)) continue;
    const env = envOf(s);
    const own = brokerPasswordVariable(name);
    if (/@/.test(env.AMQP_URL ?? '')) problems.push(`${name}: AMQP_URL carries a user (the administrator's?)`);
    if (env.BROKER_SETUP !== 'off') problems.push(`${name}: BROKER_SETUP is ${env.BROKER_SETUP ?? 'unset (on)'}, want off`);
    if (!new RegExp(`^\\$\\{${own}:\\?`).test(env[own] ?? '')) problems.push(`${name}: ${own} is ${env[own] ?? 'missing'}, want \${${own}:?...} from .env`);
    for (const other of passwordsOf(s).filter((k) => k !== own)) problems.push(`${name}: holds ${other}, another service's broker password`);
    if (!(own in envExample)) problems.push(`.env.example does not name ${own}`);
  }
  const setup = c.services?.['broker-setup'];
  if (!isObj(setup)) return [...problems, 'broker-setup: no such job'];
  const env = envOf(setup);
  if (!/^amqp:\/\/\$\{RABBITMQ_USER:\?[^}]*\}:\$\{RABBITMQ_PASSWORD:\?[^}]*\}@rabbitmq:5672$/.test(env.AMQP_URL ?? '')) problems.push(`broker-setup: AMQP_URL is ${env.AMQP_URL}, want the administrator's from .env`);
  const missing = serviceNames.map(brokerPasswordVariable).filter((v) => !passwordsOf(setup).includes(v));
  if (missing.length) problems.push(`broker-setup: lacks ${missing.join(', ')}`);
  if (dependsOn(setup).rabbitmq !== 'service_healthy') problems.push('broker-setup: does not wait for a healthy rabbitmq');
  return problems;
}

function checkAppServices(c: Compose): string[] {
  const problems: string[] = [];
  for (const name of serviceNames) {
    const s = c.services?.[name];
    if (!isObj(s)) { problems.push(`${name}: no compose service`); continue; }
    const env = envOf(s);
    if (env.SERVICE !== name) problems.push(`${name}: SERVICE is ${env.SERVICE}`);
    if (s.image !== APP_IMAGE) problems.push(`${name}: image is ${String(s.image)}, want ${APP_IMAGE}`);
    const build = isObj(s.build) ? s.build.context : s.build;
    if (build !== '.' && build !== './') problems.push(`${name}: build is ${JSON.stringify(s.build)}, want .`);
    if (s.network_mode === 'host') problems.push(`${name}: network_mode host`);
    if (s.stop_grace_period === undefined) problems.push(`${name}: no stop_grace_period`);
  }
  return problems;
}

function checkOnlyKnownServices(c: Compose): string[] {
  const known = new Set<string>([...INFRA, ...SIMULATORS, ...MONITORING, ...JOBS, ...serviceNames]);
  return Object.keys(c.services ?? {}).filter((n) => !known.has(n)).map((n) => `${n}: not an app or infra service`);
}

function checkDependencies(c: Compose): string[] {
  const problems: string[] = [];
  for (const name of serviceNames) {
    const s = c.services?.[name];
    if (!isObj(s)) continue;
    const deps = dependsOn(s);
    const needs = EMAIL_SERVICES.includes(name) ? ['rabbitmq', 'postgres', 'maildev'] : ['rabbitmq', 'postgres'];
    for (const dep of needs) {
      if (deps[dep] !== 'service_healthy') problems.push(`${name}: depends_on ${dep} is ${deps[dep] ?? 'missing'}, want service_healthy`);
    }
    if (deps['broker-setup'] !== 'service_completed_successfully') problems.push(`${name}: depends_on broker-setup is ${deps['broker-setup'] ?? 'missing'}, want service_completed_successfully`);
  }
  return problems;
}

function checkHealthAndRestart(c: Compose): string[] {
  const problems: string[] = [];
  for (const [name, s] of Object.entries(c.services ?? {})) {
    const cmd = healthcheckCommand(s);
    if ((cmd.length < 2 || cmd[0] === 'NONE') && !(JOBS as readonly string[]).includes(name)) problems.push(`${name}: no healthcheck`);
    const restart = (s.restart as string | undefined) ?? (isObj(s.deploy) && isObj(s.deploy.restart_policy) ? String(s.deploy.restart_policy.condition) : undefined);
    if (!restart || !RESTART_POLICIES.has(restart.split(':')[0])) problems.push(`${name}: restart is ${restart ?? 'missing'}`);
  }
  for (const name of serviceNames) {
    const s = c.services?.[name];
    if (!isObj(s)) continue;
    const cmd = healthcheckCommand(s);
    // The image has no curl or wget: the check must run node itself, against the
    // port this service's health endpoint listens on, and ask /ready.
    const port = name === 'api' ? envOf(s).PORT ?? '8080' : envOf(s).HEALTH_PORT;
    if (cmd[1] !== 'node') problems.push(`${name}: healthcheck runs ${cmd[1]}, not node`);
    if (!port || !cmd.join(' ').includes(`:${port}/ready`)) problems.push(`${name}: healthcheck does not ask :${port}/ready`);
  }
  return problems;
}

function checkInfra(c: Compose): string[] {
  const problems: string[] = [];
  const rabbit = c.services?.rabbitmq;
  const pg = c.services?.postgres;
  const mail = c.services?.maildev;
  if (!isObj(rabbit) || !/management/.test(String(rabbit.image))) problems.push('rabbitmq: not a management image');
  if (isObj(rabbit)) {
    const targets = portsOf(rabbit).map((p) => p.target);
    for (const port of [5672, 15672]) if (!targets.includes(port)) problems.push(`rabbitmq: does not expose ${port}`);
    if (!healthcheckCommand(rabbit).includes('rabbitmq-diagnostics')) problems.push('rabbitmq: healthcheck is not rabbitmq-diagnostics');
  }
  if (!isObj(pg) || !/^postgres:/.test(String(pg.image))) problems.push('postgres: not a postgres image');
  if (isObj(pg)) {
    const env = envOf(pg);
    if (env.POSTGRES_DB !== 'shop') problems.push(`postgres: POSTGRES_DB is ${env.POSTGRES_DB}`);
    if (!portsOf(pg).some((p) => p.target === 5432)) problems.push('postgres: does not expose 5432');
    if (!healthcheckCommand(pg).includes('pg_isready')) problems.push('postgres: healthcheck is not pg_isready');
  }
  if (!isObj(mail) || !/maildev/.test(String(mail.image))) problems.push('maildev: not a maildev image');
  if (isObj(mail)) {
    const ports = portsOf(mail);
    if (!ports.some((p) => p.target === 1080 && p.published !== undefined)) problems.push('maildev: web UI (1080) not published');
    if (!ports.some((p) => p.target === 1025)) problems.push('maildev: SMTP (1025) not exposed');
  }
  // Broker and database data survive `docker compose down` (named volumes).
  const volumes = isObj(c.volumes) ? Object.keys(c.volumes) : [];
  for (const [name, s] of [['rabbitmq', rabbit], ['postgres', pg]] as const) {
    if (!isObj(s)) continue;
    const named = (Array.isArray(s.volumes) ? s.volumes : []).map((v) => (isObj(v) ? String(v.source) : String(v).split(':')[0]));
    if (!named.some((v) => volumes.includes(v))) problems.push(`${name}: no named volume`);
  }
  return problems;
}

function checkPorts(c: Compose): string[] {
  const problems: string[] = [];
  const api = c.services?.api;
  if (!isObj(api) || !portsOf(api).some((p) => p.target === 8080 && p.published === 8080)) problems.push('api: 8080 not published');
  if (isObj(api) && (envOf(api).PORT ?? '8080') !== '8080') problems.push(`api: PORT is ${envOf(api).PORT}`);
  const seen = new Map<number, string>();
  for (const [name, s] of Object.entries(c.services ?? {})) {
    for (const p of portsOf(s)) {
      if (p.published === undefined) continue;
      const other = seen.get(p.published);
      if (other) problems.push(`host port ${p.published} published by both ${other} and ${name}`);
      seen.set(p.published, name);
    }
  }
  // Consumers must stay scalable (`--scale payment=2`): a fixed host port would clash.
  for (const name of serviceNames) {
    const s = c.services?.[name];
    if (name !== 'api' && isObj(s) && portsOf(s).some((p) => p.published !== undefined)) problems.push(`${name}: publishes a host port`);
  }
  return problems;
}

function checkConnectionUrls(c: Compose): string[] {
  const problems: string[] = [];
  const want = { AMQP_URL: ['amqp:', 'rabbitmq', '5672'], DATABASE_URL: ['postgres:', 'postgres', '5432'], SMTP_URL: ['smtp:', 'maildev', '1025'] } as const;
  for (const name of serviceNames) {
    const s = c.services?.[name];
    if (!isObj(s)) continue;
    const env = envOf(s);
    for (const [key, [protocol, host, port]] of Object.entries(want)) {
      const value = env[key] === undefined ? undefined : withEnvExample(env[key]!);
      let url: URL | undefined;
      try { url = value ? new URL(value) : undefined; } catch { url = undefined; }
      if (!url) { problems.push(`${name}: ${key} is ${value ?? 'missing'}`); continue; }
      if (url.protocol !== protocol || url.hostname !== host || url.port !== port) problems.push(`${name}: ${key} ${value} does not point at ${protocol}//${host}:${port}`);
      if (!isObj(c.services[url.hostname])) problems.push(`${name}: ${key} host ${url.hostname} is no compose service`);
    }
    if (!/\/shop$/.test(env.DATABASE_URL ?? '')) problems.push(`${name}: DATABASE_URL is not the shop database`);
  }
  return problems;
}

/** payment charges through the compose payment provider, which runs the simulator from the app image and is healthy first. */
function checkPaymentProvider(c: Compose): string[] {
  const problems: string[] = [];
  const provider = c.services?.['payment-provider'];
  const pay = c.services?.payment;
  if (!isObj(provider)) return ['payment-provider: no compose service'];
  if (provider.image !== APP_IMAGE) problems.push(`payment-provider: image is ${String(provider.image)}, want ${APP_IMAGE}`);
  const command = Array.isArray(provider.command) ? provider.command.map(String) : String(provider.command ?? '').split(/\s+/);
  if (command[0] !== 'node' || !command.includes('simulators/payment-provider/main.ts')) problems.push(`payment-provider: command is ${JSON.stringify(provider.command)}`);
  const port = envOf(provider).PAYMENT_PROVIDER_PORT ?? '8090';
  if (!healthcheckCommand(provider).join(' ').includes(`:${port}/health`)) problems.push(`payment-provider: healthcheck does not ask :${port}/health`);
  if (!isObj(pay)) return problems;
  const gateway = envOf(pay).PAYMENT_GATEWAY_URL;
  if (gateway !== `http://payment-provider:${port}`) problems.push(`payment: PAYMENT_GATEWAY_URL is ${gateway ?? 'missing'}, want http://payment-provider:${port}`);
  if (dependsOn(pay)['payment-provider'] !== 'service_healthy') problems.push('payment: does not wait for a healthy payment-provider');
  return problems;
}

/** Prometheus and Grafana publish on 127.0.0.1 only; the scrape config reaches every app service's /metrics port. */
function checkMonitoring(c: Compose, scrape: Obj): string[] {
  const problems: string[] = [];
  for (const name of MONITORING) {
    const s = c.services?.[name];
    if (!isObj(s)) { problems.push(`${name}: missing`); continue; }
    for (const p of portsOf(s)) if (p.published !== undefined && p.host !== '127.0.0.1') problems.push(`${name}: ${p.target} published beyond 127.0.0.1`);
  }
  const prometheus = c.services?.prometheus;
  if (isObj(prometheus) && !(Array.isArray(prometheus.volumes) && prometheus.volumes.some((v) => String(v).startsWith('./deploy/prometheus.yml:')))) {
    problems.push('prometheus: deploy/prometheus.yml is not mounted');
  }
  // every target a scrape job names, as host:port (static targets and DNS lookups alike)
  const targets = new Set<string>();
  for (const job of Array.isArray(scrape.scrape_configs) ? scrape.scrape_configs as Obj[] : []) {
    for (const sc of (job.static_configs ?? []) as Obj[]) for (const t of (sc.targets ?? []) as string[]) targets.add(t);
    for (const dns of (job.dns_sd_configs ?? []) as Obj[]) for (const n of (dns.names ?? []) as string[]) targets.add(`${n}:${dns.port}`);
  }
  for (const name of serviceNames) {
    const s = c.services?.[name];
    if (!isObj(s)) continue;
    const port = name === 'api' ? envOf(s).PORT ?? '8080' : envOf(s).HEALTH_PORT;
    if (!targets.has(`${name}:${port}`)) problems.push(`prometheus.yml: does not scrape ${name}:${port}`);
  }
  return problems;
}

function checkEnvNames(c: Compose): string[] {
  const problems: string[] = [];
  for (const name of serviceNames) {
    const s = c.services?.[name];
    if (!isObj(s)) continue;
    for (const key of Object.keys(envOf(s))) if (!DOCUMENTED_ENV.has(key)) problems.push(`${name}: environment sets undocumented ${key}`);
    for (const key of interpolated(s)) if (!DOCUMENTED_ENV.has(key) && !(key in envExample)) problems.push(`${name}: interpolates undocumented \${${key}}`);
  }
  return problems;
}

// ---------------------------------------------------------------- checks on Dockerfile

interface Instruction { op: string; args: string }

function instructions(text: string): Instruction[] {
  const lines = text.split('\n').filter((l) => !/^\s*#/.test(l));
  const joined = lines.join('\n').replace(/\\\n/g, ' ');
  return joined.split('\n').map((l) => l.trim()).filter(Boolean).map((l) => {
    const m = /^(\S+)\s*(.*)$/.exec(l)!;
    return { op: m[1].toUpperCase(), args: m[2] };
  });
}

function checkDockerfile(text: string): string[] {
  const problems: string[] = [];
  const ins = instructions(text);
  const all = (op: string) => ins.filter((i) => i.op === op);
  const index = (pred: (i: Instruction) => boolean) => ins.findIndex(pred);

  const from = all('FROM');
  if (!from.length || !/^node:24(-|\b)/.test(from.at(-1)!.args)) problems.push(`FROM is ${from.at(-1)?.args}, want node:24`);

  const cmd = all('CMD').at(-1);
  let cmdArgs: unknown;
  try { cmdArgs = cmd ? JSON.parse(cmd.args) : undefined; } catch { cmdArgs = undefined; }
  const want = ['node', ...serviceNodeFlags(), 'runtime/main.ts'];
  if (JSON.stringify(cmdArgs) !== JSON.stringify(want)) problems.push(`CMD is ${cmd?.args}, want exec form ${JSON.stringify(want)} (npm start's flags)`);
  if (all('ENTRYPOINT').length) problems.push('ENTRYPOINT would wrap the CMD');
  for (const [key, value] of Object.entries(serviceStartEnv())) {
    if (!all('ENV').some((i) => i.args.split(/\s+/).includes(`${key}=${value}`))) problems.push(`no ENV ${key}=${value} (npm start's setting)`);
  }

  const install = index((i) => i.op === 'RUN' && /\bnpm ci\b/.test(i.args));
  if (install < 0) problems.push('no RUN npm ci');
  else {
    const args = ins[install].args;
    if (!/--omit=dev\b/.test(args)) problems.push('npm ci without --omit=dev');
    if (!/--ignore-scripts\b/.test(args)) problems.push('npm ci without --ignore-scripts');
    // Layer order: only the manifests before npm ci, the code after it.
    const lockCopy = index((i) => i.op === 'COPY' && /package-lock\.json/.test(i.args));
    if (lockCopy < 0 || lockCopy > install) problems.push('package-lock.json is not copied before npm ci');
    for (const dir of ['generated', 'runtime', 'handlers', 'migrations', 'simulators']) {
      const at = index((i) => i.op === 'COPY' && new RegExp(`(^|\\s)${dir}/?(\\s|$)`).test(i.args));
      if (at < 0) problems.push(`${dir}/ is not copied`);
      else if (at < install) problems.push(`${dir}/ is copied before npm ci (busts the dependency layer)`);
    }
    for (const file of ['asyncapi.yaml', 'openapi.yaml']) {
      if (!ins.some((i) => i.op === 'COPY' && i.args.split(/\s+/).includes(file))) problems.push(`${file} is not copied`);
    }
    if (ins.some((i) => i.op === 'COPY' && /^(--\S+\s+)*\.\s/.test(i.args))) problems.push('COPY . copies the whole context');
  }

  const user = all('USER').at(-1)?.args;
  if (!user || /^(root|0)(:|$)/.test(user)) problems.push(`runs as ${user ?? 'root'}`);
  if (!all('WORKDIR').some((i) => i.args === '/app')) problems.push('WORKDIR is not /app');
  if (!all('ENV').some((i) => /\bNODE_ENV=production\b/.test(i.args))) problems.push('NODE_ENV is not production');
  if (all('STOPSIGNAL').at(-1)?.args !== 'SIGTERM') problems.push('STOPSIGNAL is not SIGTERM');
  return problems;
}

// ------------------------------------------------- the mail catcher: one version, dev only

/**
 * MailDev is a development tool: a devDependency (the image's `npm ci --omit=dev` leaves
 * it out), the same version as compose's mail catcher image, so local runs and compose
 * show the same catcher.
 */
function checkMailCatcher(c: Compose, pkg: PackageJson, dockerfile: string): string[] {
  const problems: string[] = [];
  const version = pkg.devDependencies?.maildev;
  if (pkg.dependencies?.maildev || pkg.optionalDependencies?.maildev) problems.push('maildev: a runtime dependency (it belongs in devDependencies, out of the image)');
  if (!version) problems.push('maildev: not in devDependencies');
  else if (!/^\d+\.\d+\.\d+$/.test(version)) problems.push(`maildev: version ${version} is not exact`);
  const image = String(c.services?.maildev?.image ?? '');
  const tag = /^maildev\/maildev:(.+)$/.exec(image)?.[1];
  if (tag !== version) problems.push(`maildev: compose runs ${image || 'no image'}, npm has maildev ${version}`);
  if (!healthcheckCommand(c.services?.maildev ?? {}).some((arg) => arg.includes('1025'))) problems.push('maildev: healthcheck does not probe its SMTP port (1025), which the services need');
  const install = instructions(dockerfile).find((i) => i.op === 'RUN' && /\bnpm ci\b/.test(i.args));
  if (!install || !/--omit=dev\b/.test(install.args)) problems.push('Dockerfile: npm ci keeps the devDependencies (maildev) in the image');
  return problems;
}

// ---------------------------------------------------------------- the real files

test('compose: no obsolete version key, services present', () => {
  assert.not.ok('version' in compose, 'the Compose spec has no version key');
  assert.ok(isObj(compose.services));
  for (const name of INFRA) assert.ok(isObj(compose.services[name]), `${name} missing`);
});

test('compose: one service per app service, SERVICE set to its name, shared image', () => {
  assert.equal(checkAppServices(compose), []);
  assert.equal(checkOnlyKnownServices(compose), []);
});

test('compose: app services wait for healthy rabbitmq and postgres (and maildev for e-mail), and for the broker setup to succeed', () => {
  assert.equal(checkDependencies(compose), []);
});

test('compose: every service has a healthcheck and a restart policy', () => {
  assert.equal(checkHealthAndRestart(compose), []);
});

test('compose: rabbitmq management on 15672, postgres, mail catcher web UI, named volumes', () => {
  assert.equal(checkInfra(compose), []);
});

test('compose: api publishes 8080, no host port clashes, consumers scalable', () => {
  assert.equal(checkPorts(compose), []);
});

test('compose: AMQP_URL, DATABASE_URL, SMTP_URL point at compose hostnames', () => {
  assert.equal(checkConnectionUrls(compose), []);
});

test('compose: payment charges through the payment-provider service (the simulator, from the app image)', () => {
  assert.equal(checkPaymentProvider(compose), []);
});

test('compose: app services use only documented environment variables', () => {
  assert.equal(checkEnvNames(compose), []);
});

test('compose: a service the contract gains runs in compose with no edit (npm run generate writes its plain entry)', () => {
  const asyncapi = readFileSync(new URL('asyncapi.yaml', root), 'utf8').replace(/^x-services:\n/m, 'x-services:\n  shipping:\n    queue: shipping\n    description: Ships paid orders.\n');
  const regenerated = withComposeServices(composeText, asyncapi);
  const shipping = (loadCompose(regenerated).services as Record<string, { environment?: Record<string, string> }>).shipping;
  assert.ok(shipping, 'shipping has an entry');
  assert.is(shipping.environment?.SERVICE, 'shipping');
  assert.is(withComposeServices(composeText, readFileSync(new URL('asyncapi.yaml', root), 'utf8')), composeText, 'the committed block follows the contract');
  const prometheus = readFileSync(new URL('deploy/prometheus.yml', root), 'utf8');
  assert.match(withPrometheusServices(prometheus, asyncapi), /^ {10}- shipping\n/m, 'Prometheus scrapes it');
});

test('compose: a service with an entry written by hand gets no generated one', () => {
  const block = composeServicesBlock(composeText, ['api', 'payment', 'cancel-email', 'store-order']);
  assert.ok(!/^ {2}(api|payment|cancel-email):/m.test(block), block);
  assert.match(block, /^ {2}store-order:\n {4}<<: \*app\n/m);
});

test('compose: prometheus scrapes every service\'s /metrics; prometheus and grafana on 127.0.0.1 only', () => {
  assert.equal(checkMonitoring(compose, prometheusConfig), []);
});

test('Dockerfile: node:24, npm ci from the lockfile, non-root, CMD runtime/main.ts with npm start\'s heap budget', () => {
  assert.equal(checkDockerfile(dockerfileText), []);
});

test('mail catcher: maildev is a devDependency left out of the image, the same version in compose and locally', () => {
  assert.equal(checkMailCatcher(compose, packageJson, dockerfileText), []);
});

test('checks catch a mail catcher in the image or of another version than compose runs', () => {
  const c = clone(compose);
  c.services.maildev.image = 'maildev/maildev:2.2.1';
  const pkg: PackageJson = { dependencies: { maildev: '3.0.0' } };
  const problems = checkMailCatcher(c, pkg, dockerfileText.replace('npm ci --omit=dev', 'npm ci'));
  assert.ok(problems.includes('maildev: a runtime dependency (it belongs in devDependencies, out of the image)'), problems.join('\n'));
  assert.ok(problems.includes('maildev: not in devDependencies'));
  assert.ok(problems.includes('Dockerfile: npm ci keeps the devDependencies (maildev) in the image'));
  const versions = checkMailCatcher(c, { devDependencies: { maildev: '3.0.0' } }, dockerfileText);
  assert.equal(versions, ['maildev: compose runs maildev/maildev:2.2.1, npm has maildev 3.0.0']);
});

test('compose: every published port is on 127.0.0.1; passwords come from .env, none by default, no guest, no trust', () => {
  assert.equal(checkLockedDown(compose), []);
});

test('compose: each service connects to the broker as its own user, with only its own password; the setup job holds them all', () => {
  assert.equal(checkBrokerIdentities(compose), []);
});

test('checks catch a service with the administrator\'s URL, another\'s password, its own setup, or a setup job without a password', () => {
  const c = clone(compose);
  (c.services.payment.environment as Obj).AMQP_URL = 'amqp://${RABBITMQ_USER:?x}:${RABBITMQ_PASSWORD:?x}@rabbitmq:5672';
  (c.services.invoice.environment as Obj).AMQP_PASSWORD_PAYMENT = '${AMQP_PASSWORD_PAYMENT:?x}';
  delete (c.services.api.environment as Obj).BROKER_SETUP;
  delete (c.services.invoice.environment as Obj).AMQP_PASSWORD_INVOICE;
  delete (c.services['broker-setup'].environment as Obj).AMQP_PASSWORD_ORDER_TIMELINE;
  const problems = checkBrokerIdentities(c);
  for (const want of [
    'payment: AMQP_URL carries a user (the administrator\'s?)',
    'invoice: holds AMQP_PASSWORD_PAYMENT, another service\'s broker password',
    'api: BROKER_SETUP is unset (on), want off',
    'invoice: AMQP_PASSWORD_INVOICE is missing, want ${AMQP_PASSWORD_INVOICE:?...} from .env',
    'broker-setup: lacks AMQP_PASSWORD_ORDER_TIMELINE',
  ]) assert.ok(problems.includes(want), `${want}\n  in: ${problems.join('\n  ')}`);
});

test('checks catch a port open to the world, trust, guest and a default password', () => {
  const c = clone(compose);
  c.services.postgres.ports = ['5432:5432'];
  (c.services.postgres.environment as Obj).POSTGRES_HOST_AUTH_METHOD = 'trust';
  (c.services.payment.environment as Obj).AMQP_URL = 'amqp://guest:guest@rabbitmq:5672';
  (c.services.rabbitmq.environment as Obj).RABBITMQ_DEFAULT_PASS = '${RABBITMQ_PASSWORD:-guest}';
  delete (c.services.maildev.environment as Obj).MAILDEV_WEB_PASS;
  const problems = checkLockedDown(c);
  for (const want of [
    'postgres: port 5432 is published on every interface',
    'postgres: PostgreSQL trusts every connection',
    'payment: connects to RabbitMQ as guest',
    'rabbitmq: RABBITMQ_DEFAULT_PASS takes ${RABBITMQ_PASSWORD} with a default instead of requiring it',
    'maildev: its web UI has no password',
  ]) assert.ok(problems.includes(want), `${want}\n  in: ${problems.join('\n  ')}`);
});

test('.dockerignore keeps node_modules, .git, tests and CI out of the build context', () => {
  const entries = new Set(dockerignoreText.split('\n').map((l) => l.trim().replace(/^\/|\/$/g, '')).filter((l) => l && !l.startsWith('#')));
  for (const want of ['node_modules', '.git', 'test', 'bench', 'templates/__transpiled', '*.log', '.ci']) {
    assert.ok(entries.has(want), `.dockerignore lacks ${want}`);
  }
});

// ---------------------------------------------------------------- the checks can fail

test('checks catch a missing or misnamed app service', () => {
  const c = clone(compose);
  c.services['store-ordr'] = c.services['store-order'];
  delete c.services['store-order'];
  assert.ok(checkAppServices(c).some((p) => p.startsWith('store-order: no compose service')));
  assert.ok(checkOnlyKnownServices(c).some((p) => p.startsWith('store-ordr')));
  const d = clone(compose);
  (d.services.invoice.environment as Obj).SERVICE = 'invoice-email';
  assert.ok(checkAppServices(d).some((p) => p.startsWith('invoice: SERVICE')));
});

test('checks catch a dependency without service_healthy, and a service that does not wait for the broker setup', () => {
  const c = clone(compose);
  c.services.payment.depends_on = ['rabbitmq', 'postgres'];
  assert.equal(checkDependencies(c), [
    'payment: depends_on rabbitmq is service_started, want service_healthy',
    'payment: depends_on postgres is service_started, want service_healthy',
    'payment: depends_on broker-setup is missing, want service_completed_successfully',
  ]);
  const d = clone(compose);
  d.services['invoice-email'].depends_on = { rabbitmq: { condition: 'service_healthy' }, postgres: { condition: 'service_healthy' } };
  assert.ok(checkDependencies(d).some((p) => p.includes('maildev')));
});

test('checks catch a missing healthcheck, restart policy, or a curl healthcheck', () => {
  const c = clone(compose);
  delete c.services.maildev.healthcheck;
  delete c.services.postgres.restart;
  (c.services.invoice.healthcheck as Obj).test = ['CMD', 'curl', '-f', 'http://127.0.0.1:8081/ready'];
  const problems = checkHealthAndRestart(c);
  assert.ok(problems.includes('maildev: no healthcheck'), problems.join('\n'));
  assert.ok(problems.includes('postgres: restart is missing'), problems.join('\n'));
  assert.ok(problems.some((p) => p.startsWith('invoice: healthcheck runs curl')), problems.join('\n'));
});

test('checks catch a non-management broker image and an unpublished mail UI', () => {
  const c = clone(compose);
  c.services.rabbitmq.image = 'rabbitmq:3.13';
  c.services.rabbitmq.ports = ['5672:5672'];
  c.services.maildev.ports = ['1025:1025'];
  const problems = checkInfra(c);
  assert.ok(problems.includes('rabbitmq: not a management image'));
  assert.ok(problems.includes('rabbitmq: does not expose 15672'));
  assert.ok(problems.includes('maildev: web UI (1080) not published'));
});

test('checks catch wrong hostnames, typo\'d env vars and network_mode host', () => {
  const c = clone(compose);
  (c.services.payment.environment as Obj).AMQP_URL = 'amqp://guest:guest@localhost:5672';
  (c.services.payment.environment as Obj).PAYMENT_FAILURE_RAT = '0.5';
  c.services['log-persistence'].environment = { ...(c.services['log-persistence'].environment as Obj), LOG_LEVEL: '${LOGLEVEL:-info}' };
  c.services['order-timeline'].network_mode = 'host';
  assert.ok(checkConnectionUrls(c).some((p) => p.startsWith('payment: AMQP_URL')));
  const env = checkEnvNames(c);
  assert.ok(env.includes('payment: environment sets undocumented PAYMENT_FAILURE_RAT'), env.join('\n'));
  assert.ok(env.includes('log-persistence: interpolates undocumented ${LOGLEVEL}'), env.join('\n'));
  assert.ok(checkAppServices(c).includes('order-timeline: network_mode host'));
});

test('checks catch a payment service without the shared provider', () => {
  const c = clone(compose);
  delete (c.services.payment.environment as Obj).PAYMENT_GATEWAY_URL;
  c.services.payment.depends_on = { rabbitmq: { condition: 'service_healthy' }, postgres: { condition: 'service_healthy' } };
  const problems = checkPaymentProvider(c);
  assert.ok(problems.includes('payment: PAYMENT_GATEWAY_URL is missing, want http://payment-provider:8090'), problems.join('\n'));
  assert.ok(problems.includes('payment: does not wait for a healthy payment-provider'), problems.join('\n'));
  const d = clone(compose);
  d.services['payment-provider'].command = ['node', 'runtime/main.ts'];
  assert.ok(checkPaymentProvider(d).some((p) => p.startsWith('payment-provider: command')));
});

test('checks catch an api without 8080 and a scaled consumer with a host port', () => {
  const c = clone(compose);
  c.services.api.ports = ['9090:8080'];
  c.services.payment.ports = ['8081:8081'];
  const problems = checkPorts(c);
  assert.ok(problems.includes('api: 8080 not published'));
  assert.ok(problems.includes('payment: publishes a host port'));
});

test('checks catch a Dockerfile that installs with npm install, runs as root, copies code first', () => {
  const bad = [
    'FROM node:24-slim',
    'WORKDIR /app',
    'COPY runtime/ ./runtime/',
    'COPY package.json ./',
    'RUN npm install',
    'CMD ["node", "runtime/other.ts"]',
  ].join('\n');
  const problems = checkDockerfile(bad);
  assert.ok(problems.includes('no RUN npm ci'), problems.join('\n'));
  assert.ok(problems.includes('runs as root'), problems.join('\n'));
  assert.ok(problems.some((p) => p.startsWith('CMD is')), problems.join('\n'));
  const order = checkDockerfile(dockerfileText.replace(/^COPY runtime\/.*$/m, '').replace(/^(WORKDIR \/app)$/m, '$1\nCOPY runtime/ ./runtime/'));
  assert.ok(order.includes('runtime/ is copied before npm ci (busts the dependency layer)'), order.join('\n'));
  const unbudgeted = checkDockerfile(dockerfileText.replace(/^CMD .*$/m, 'CMD ["node", "runtime/main.ts"]'));
  assert.ok(unbudgeted.some((p) => p.startsWith('CMD is') && p.includes('max-old-space-size')), unbudgeted.join('\n'));
  assert.ok(Object.keys(serviceStartEnv()).length > 0, "npm start sets no environment: the check below would check nothing");
  const unsettled = checkDockerfile(dockerfileText.replace(/\s*\\\n\s*MALLOC_ARENA_MAX=\S+/, ''));
  assert.ok(unsettled.some((p) => p.startsWith('no ENV MALLOC_ARENA_MAX=')), unsettled.join('\n'));
});


test('checks catch a metrics port published to every interface and a service prometheus does not scrape', () => {
  const c = clone(compose);
  c.services.grafana!.ports = ['3000:3000'];
  const scrape = structuredClone(prometheusConfig);
  const jobs = scrape.scrape_configs as Obj[];
  const dns = (jobs.find((j) => j.job_name === 'services')!.dns_sd_configs as Obj[])[0]!;
  dns.names = (dns.names as string[]).filter((n) => n !== 'payment');
  const problems = checkMonitoring(c, scrape);
  assert.ok(problems.some((p) => p.startsWith('grafana: 3000 published')), problems.join('\n'));
  assert.ok(problems.includes('prometheus.yml: does not scrape payment:8081'), problems.join('\n'));
});

test.run();
