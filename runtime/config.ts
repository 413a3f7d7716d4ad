// Configuration from environment variables, each with a working local default.
// Checked once at start: a bad value stops the process with one clear line.
import type { TableMaintenanceMode } from './table-maintenance.ts';
import { isIP } from 'node:net';
import { availableParallelism } from 'node:os';
import { serviceNames } from '../generated/registry.ts';

export interface Config {
  /**
   * The broker and its vhost. Its user is the administrator's: used only to set the broker
   * up (brokerSetup) and never by a service, which connects as its own user
   * (runtime/broker-identity.ts).
   */
  readonly amqpUrl: string;
  /** RabbitMQ's management API (users and permissions), with the administrator's user. */
  readonly managementUrl: string;
  /** Set the broker up at start (users, permissions, topology); off where a setup job did it (compose). */
  readonly brokerSetup: boolean;
  /** AMQP_PASSWORD_<SERVICE>: each service's own broker password, by service name. */
  readonly amqpPasswords: Readonly<Record<string, string>>;
  readonly databaseUrl: string;
  /** Each service's pool works as the service's own role (runtime/database-roles.ts); off: as DATABASE_URL's user. */
  readonly databaseRoles: boolean;
  /** Unset: the all-in-one run starts an embedded mail catcher. */
  readonly smtpUrl: string | undefined;
  readonly mailFrom: string;
  /** How long a claimed e-mail is left to its sender before another pass sends it (same Message-ID). */
  readonly mailLeaseMs: number;
  readonly mailPollMs: number;
  /** E-mails one dispatch pass claims and sends at once. */
  readonly mailBatchSize: number;
  /** SMTP connections each e-mail service keeps to its server at most. */
  readonly smtpMaxConnections: number;
  readonly port: number;
  /** Health endpoint of processes that run no api (0: none). */
  readonly healthPort: number;
  /** Services this process runs; every service when SERVICE is unset or "all". */
  readonly services: readonly string[] | 'all';
  /**
   * Event loops the process runs its services on: 1, or 2 (the order's own path on the main
   * thread, what follows its outcome on a second: runtime/service-thread.ts). THREADS=auto
   * (the default) is 2 on a machine with two or more cores, unless the process's memory is
   * limited below what a second heap needs (autoThreads).
   */
  readonly threads: 1 | 2;
  /** Why the process runs `threads` event loops, for the start log. */
  readonly threadsReason: string;
  readonly logLevel: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';
  /** pretty: coloured lines for people; json: one JSON object a line. Default: pretty on a terminal, json otherwise. */
  readonly logFormat: 'pretty' | 'json';
  /** Level from which log records are also emitted as LogEmitted events. */
  /** OTLP/HTTP endpoint spans are exported to (e.g. http://jaeger:4318); unset: no spans are recorded. */
  readonly otelEndpoint: string | undefined;
  /** The service.name of exported spans; default: the process's services. */
  readonly otelServiceName: string | undefined;
  readonly eventLogLevel: 'debug' | 'info' | 'warn' | 'error' | 'off';
  /** Deliveries in flight per consumer, unless the service or PREFETCH_<SERVICE> says otherwise. */
  readonly prefetch: number;
  /** Connections of each service's own pool, unless the service or DB_POOL_MAX_<SERVICE> says otherwise. */
  readonly dbPoolMax: number;
  /** Connections of the runtime's pool (migrations, outbox relay, readiness). */
  readonly runtimeDbPoolMax: number;
  /** The server ends a statement running longer; a connection whose server does not answer a query this plus 5 s ends (runtime/answer-deadline.ts). */
  readonly dbStatementTimeoutMs: number;
  /** Per-service overrides, by service name: PREFETCH_PAYMENT=200, DB_POOL_MAX_API=20, GATHER_MS_ORDER_TIMELINE=0. */
  readonly serviceLimits: Readonly<Record<string, ServiceLimits>>;
  /** AMQP messages larger than this are dead-lettered unparsed. */
  readonly maxMessageBytes: number;
  readonly retryDelaysMs: readonly number[] | undefined;
  readonly maxAttempts: number;
  readonly heartbeatSeconds: number;
  /** An AMQP connection attempt not open this long after it began gives up, and recovery tries again (runtime/broker.ts). */
  readonly connectTimeoutMs: number;
  readonly relayBatchSize: number;
  readonly batchSize: number;
  /** How long a service's first delivery waits for others while its deliveries come at least twice per it (runtime/group-commit.ts). */
  readonly gatherUnderLoadMs: number;
  readonly relayPollMs: number;
  readonly relayGraceMs: number;
  readonly relayMarkDelayMs: number;
  /** Log records per LogEmitted batch, at most (runtime/log-batcher.ts). */
  readonly logBatchSize: number;
  /** How often pending log records are sent as batches. */
  readonly logBatchMs: number;
  readonly retentionHours: number;
  readonly pruneIntervalMs: number;
  /** Vacuum and analyze of the system's tables by the process (runtime/table-maintenance.ts): `auto` only while the server's autovacuum is off. */
  readonly tableMaintenance: TableMaintenanceMode;
  readonly tableMaintenanceMs: number;
  readonly shutdownTimeoutMs: number;
  /** POST /orders is refused (503) while more than maxBacklog messages wait in the services' queues; 0: never. */
  readonly admission: {
    readonly maxBacklog: number;
    /** How often the api reads the queues' depths. */
    readonly checkMs: number;
  };
  /** POST /orders per client within each window; 0: no limit. */
  readonly orderRateLimit: {
    readonly max: number;
    readonly windowMs: number;
    /**
     * Which proxies' X-Forwarded-For names the client: false (none: the connection's
     * address is the client), or the proxies' addresses/CIDRs.
     */
    readonly trustProxy: TrustProxy;
  };
  readonly payment: {
    readonly failureRate: number;
    readonly latencyMs: number;
    readonly seed: string | undefined;
    /** The card processor's base URL; unset: the payment service starts the simulated one on 127.0.0.1. */
    readonly gatewayUrl: string | undefined;
    /** How long one charge call may take before it counts as a (retried) timeout. */
    readonly gatewayTimeoutMs: number;
    /**
     * The most charges in flight: the payment service's prefetch rises toward it from its own
     * (PREFETCH_PAYMENT) while every delivery waits on a slow processor (runtime/adaptive-prefetch.ts);
     * at or below its own prefetch, the prefetch stays fixed.
     */
    readonly maxInFlight: number;
    /** Port of `npm run payment-provider` (the simulated processor as its own process). */
    readonly providerPort: number;
    /** Simulated processor only: how long it remembers an idempotency key after the key's last call. */
    readonly providerKeyHours: number;
    /** Simulated processor only: the most keys it remembers (the least recently called go first). */
    readonly providerMaxKeys: number;
    /** Simulated processor only: share of calls answered 503, and share that hang (faults for tests). */
    readonly errorRate: number;
    readonly timeoutRate: number;
    /** Simulated processor only: charges it processes at once, the rest waiting their turn; 0: any number. */
    readonly capacity: number;
  };
}

export type TrustProxy = false | readonly string[];

export interface ServiceLimits {
  readonly prefetch?: number;
  readonly dbPoolMax?: number;
  readonly gatherMs?: number;
}

export class ConfigError extends Error {}

type Env = Readonly<Record<string, string | undefined>>;

function number(env: Env, name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new ConfigError(`${name}=${raw} is not a number between ${min} and ${max}`);
  }
  return value;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const value = number(env, name, fallback, min, max);
  if (!Number.isInteger(value)) throw new ConfigError(`${name}=${env[name]} is not a whole number`);
  return value;
}

/**
 * TRUST_PROXY: unset or false, no proxy is trusted; else the addresses or CIDRs of the
 * proxies in front (or `loopback`, `linklocal`, `uniquelocal`), comma-separated. A hop
 * count is not offered: it cannot tell a proxy from a client that sends the header itself.
 */
function trustProxy(raw: string | undefined): TrustProxy {
  const value = raw?.trim() ?? '';
  if (value === '' || value === 'false') return false;
  const parts = value.split(',').map((p) => p.trim()).filter(Boolean);
  const bad = parts.find((p) => {
    if (PROXY_RANGES.includes(p)) return false;
    const [address, bits, ...rest] = p.split('/');
    return rest.length > 0 || isIP(address) === 0 || (bits !== undefined && !/^\d{1,3}$/.test(bits));
  });
  if (parts.length === 0 || bad !== undefined) {
    throw new ConfigError(`TRUST_PROXY=${raw} must be false or the proxies' addresses/CIDRs (or ${PROXY_RANGES.join(', ')}) separated by commas`);
  }
  return parts;
}

const PROXY_RANGES = ['loopback', 'linklocal', 'uniquelocal'];

function oneOf<T extends string>(env: Env, name: string, fallback: T, allowed: readonly T[]): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!(allowed as readonly string[]).includes(raw)) throw new ConfigError(`${name}=${raw} must be one of ${allowed.join(', ')}`);
  return raw as T;
}

/**
 * The URL with its password replaced by ***, for errors and logs. Text that does not
 * parse as a URL loses everything between its scheme and its last "@" (user and password).
 */
export function redactUrl(raw: string): string {
  try {
    const parsed = new URL(raw);
    if (!parsed.password) return raw;
    parsed.password = '***';
    return parsed.toString();
  } catch {
    // not a URL: fall back to the pattern below
  }
  const at = raw.lastIndexOf('@');
  if (at < 0) return raw;
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(raw)?.[0] ?? '';
  return `${scheme}***${raw.slice(at)}`;
}

/** The text with every configured URL's password replaced by ***: for messages of errors that may quote a URL. */
export function withoutSecrets(text: string, config: Pick<Config, 'amqpUrl' | 'databaseUrl' | 'smtpUrl'> & Partial<Pick<Config, 'managementUrl' | 'amqpPasswords'>> & { payment: Pick<Config['payment'], 'gatewayUrl'> }): string {
  let out = text;
  for (const password of Object.values(config.amqpPasswords ?? {})) out = out.replaceAll(password, '***');
  for (const raw of [config.amqpUrl, config.managementUrl, config.databaseUrl, config.smtpUrl, config.payment.gatewayUrl]) {
    if (!raw) continue;
    let password: string | undefined;
    try {
      password = new URL(raw).password;
    } catch {
      continue;
    }
    if (!password) continue;
    let decoded = password;
    try {
      decoded = decodeURIComponent(password);
    } catch {
      // a stray % in the password: only its encoded form can appear
    }
    out = out.replaceAll(raw, redactUrl(raw)).replaceAll(password, '***').replaceAll(decoded, '***');
  }
  return out;
}

function url(env: Env, name: string, fallback: string | undefined, protocols: readonly string[]): string | undefined {
  const raw = env[name] || fallback;
  if (raw === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    // the value may hold a password: never quote it whole
    throw new ConfigError(`${name} is not a URL: ${redactUrl(raw)}`);
  }
  if (!protocols.includes(parsed.protocol)) throw new ConfigError(`${name} must use ${protocols.join(' or ')} (got ${parsed.protocol})`);
  return raw;
}

function mailFrom(value: string): string {
  if (/[\r\n]/.test(value) || !/^[^<>@\s]+@[^<>@\s]+$|<[^<>@\s]+@[^<>@\s]+>$/.test(value.trim())) {
    throw new ConfigError(`MAIL_FROM must be one address, e.g. "Shop <orders@shop.example>" (got ${JSON.stringify(value)})`);
  }
  return value.trim();
}

/** A service's name as it ends a variable's name: order-timeline → ORDER_TIMELINE. */
export const envSuffix = (service: string) => service.toUpperCase().replaceAll('-', '_');

/** The contract's service a <PREFIX>_<SERVICE> variable names; an unknown one stops the start. */
function serviceOfVariable(name: string, suffix: string): string {
  const service = suffix.toLowerCase().replaceAll('_', '-');
  if (!(serviceNames as readonly string[]).includes(service)) {
    throw new ConfigError(`${name} names no service of asyncapi.yaml (known: ${serviceNames.map(envSuffix).join(', ')})`);
  }
  return service;
}

const PASSWORD_VARIABLE = /^AMQP_PASSWORD_([A-Z0-9_]+)$/;

function amqpPasswords(env: Env): Record<string, string> {
  const passwords: Record<string, string> = {};
  for (const name of Object.keys(env).sort()) {
    const match = PASSWORD_VARIABLE.exec(name);
    if (!match || !env[name]) continue;
    passwords[serviceOfVariable(name, match[1])] = env[name];
  }
  return passwords;
}

/** The management API on the broker's host, as the AMQP_URL's user, unless RABBITMQ_MANAGEMENT_URL says otherwise. */
function managementUrl(env: Env, amqpUrl: string): string {
  const given = url(env, 'RABBITMQ_MANAGEMENT_URL', undefined, ['http:', 'https:']);
  if (given) return given;
  const broker = new URL(amqpUrl);
  const management = new URL(`http://${broker.host.replace(/:\d+$/, '')}:15672`);
  management.username = broker.username || 'guest';
  management.password = broker.password || 'guest';
  return management.toString();
}

function onOff(env: Env, name: string, fallback: boolean): boolean {
  return oneOf(env, name, fallback ? 'on' : 'off', ['on', 'off']) === 'on';
}

const LIMIT_VARIABLE = /^(PREFETCH|DB_POOL_MAX|GATHER_MS)_([A-Z0-9_]+)$/;

/** DB_STATEMENT_TIMEOUT_MS's default: no statement of the pipeline comes near it. */
export const STATEMENT_TIMEOUT_MS = 30_000;

/** PREFETCH_<SERVICE>, DB_POOL_MAX_<SERVICE> and GATHER_MS_<SERVICE>, the service named as in asyncapi.yaml with - as _ (ORDER_TIMELINE). */
function serviceLimits(env: Env): Record<string, ServiceLimits> {
  const limits: Record<string, { -readonly [K in keyof ServiceLimits]: ServiceLimits[K] }> = {};
  for (const name of Object.keys(env).sort()) {
    const match = LIMIT_VARIABLE.exec(name);
    if (!match || env[name] === undefined || env[name] === '') continue;
    const service = serviceOfVariable(name, match[2]);
    const entry = (limits[service] ??= {});
    if (match[1] === 'PREFETCH') entry.prefetch = number(env, name, 1, 1, 1000);
    else if (match[1] === 'DB_POOL_MAX') entry.dbPoolMax = number(env, name, 1, 1, 200);
    else entry.gatherMs = number(env, name, 0, 0, 10000);
  }
  return limits;
}

/**
 * The memory limit under which THREADS=auto runs one event loop. A second thread is a second
 * V8 heap: flat out on two cores, over 60 s, the process peaked at 325–337 MiB with two threads
 * and at 269–273 MiB with one (bench/ROUNDS.md, the twelfth round). A process that outgrows its container's
 * limit is killed, and it would outgrow it under load, the worst moment.
 */
export const TWO_THREADS_MIN_MEMORY_MIB = 512;

/**
 * THREADS=auto: 2 where the machine has a second core for the second event loop and the
 * process may use the memory of a second heap. `memoryLimitBytes` is the limit the OS puts
 * on the process (process.constrainedMemory(): a cgroup's, as in a container); 0, or a
 * figure no machine has, means none.
 */
export function autoThreads(cores: number, memoryLimitBytes: number): { threads: 1 | 2; reason: string } {
  if (cores < 2) return { threads: 1, reason: `THREADS=auto: ${cores} core` };
  const limitMiB = memoryLimitBytes > 0 && memoryLimitBytes < Number.MAX_SAFE_INTEGER ? Math.floor(memoryLimitBytes / 1048576) : undefined;
  if (limitMiB !== undefined && limitMiB < TWO_THREADS_MIN_MEMORY_MIB) {
    return { threads: 1, reason: `THREADS=auto: the process's memory is limited to ${limitMiB} MiB, under the ${TWO_THREADS_MIN_MEMORY_MIB} MiB a second thread's heap needs` };
  }
  return { threads: 2, reason: `THREADS=auto: ${cores} cores${limitMiB === undefined ? '' : `, memory limited to ${limitMiB} MiB`}` };
}

/** THREADS: 1, 2, or auto (autoThreads). */
function threads(value: string | undefined): { threads: 1 | 2; reason: string } {
  const v = (value ?? '').trim();
  if (v === '' || v === 'auto') return autoThreads(availableParallelism(), process.constrainedMemory());
  if (v === '1' || v === '2') return { threads: Number(v) as 1 | 2, reason: `THREADS=${v}` };
  throw new ConfigError(`THREADS must be 1, 2 or auto (got ${value})`);
}

export function loadConfig(env: Env = process.env): Config {
  const eventLoops = threads(env.THREADS);
  const retryDelaysMs = env.RETRY_DELAYS_MS
    ? env.RETRY_DELAYS_MS.split(',').map((d) => {
      const v = Number(d.trim());
      if (!Number.isInteger(v) || v < 1) throw new ConfigError(`RETRY_DELAYS_MS must be positive integers separated by commas (got ${env.RETRY_DELAYS_MS})`);
      return v;
    })
    : undefined;
  const service = (env.SERVICE ?? '').trim();
  const amqpUrl = url(env, 'AMQP_URL', 'amqp://guest:guest@127.0.0.1:5672', ['amqp:', 'amqps:'])!;
  const config: Config = {
    amqpUrl,
    managementUrl: managementUrl(env, amqpUrl),
    brokerSetup: onOff(env, 'BROKER_SETUP', true),
    amqpPasswords: amqpPasswords(env),
    databaseUrl: url(env, 'DATABASE_URL', 'postgres://postgres@127.0.0.1:5432/shop', ['postgres:', 'postgresql:'])!,
    databaseRoles: onOff(env, 'DATABASE_ROLES', true),
    smtpUrl: url(env, 'SMTP_URL', undefined, ['smtp:', 'smtps:']),
    mailFrom: mailFrom(env.MAIL_FROM || 'Shop <orders@shop.example>'),
    // Far above the SMTP timeouts (10 s connect, 30 s socket), so a slow send is not sent twice.
    mailLeaseMs: number(env, 'MAIL_LEASE_MS', 120_000, 5000, 3_600_000),
    mailPollMs: number(env, 'MAIL_POLL_MS', 1000, 10, 3_600_000),
    // a pass waits for its slowest send: claim enough to keep every connection busy, about 8 each
    mailBatchSize: integer(env, 'MAIL_BATCH_SIZE', 128, 1, 1000),
    smtpMaxConnections: integer(env, 'SMTP_MAX_CONNECTIONS', 32, 1, 100),
    port: number(env, 'PORT', 8080, 0, 65535),
    healthPort: number(env, 'HEALTH_PORT', 0, 0, 65535),
    services: service === '' || service === 'all' ? 'all' : service.split(',').map((s) => s.trim()).filter(Boolean),
    threads: eventLoops.threads,
    threadsReason: eventLoops.reason,
    logLevel: oneOf(env, 'LOG_LEVEL', 'info', ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']),
    logFormat: oneOf(env, 'LOG_FORMAT', process.stdout.isTTY === true ? 'pretty' : 'json', ['pretty', 'json']),
    otelEndpoint: url(env, 'OTEL_EXPORTER_OTLP_ENDPOINT', undefined, ['http:', 'https:']),
    otelServiceName: env.OTEL_SERVICE_NAME?.trim() || undefined,
    eventLogLevel: oneOf(env, 'EVENT_LOG_LEVEL', 'info', ['debug', 'info', 'warn', 'error', 'off']),
    prefetch: number(env, 'PREFETCH', 128, 1, 1000),
    dbPoolMax: number(env, 'DB_POOL_MAX', 3, 1, 200),
    runtimeDbPoolMax: number(env, 'RUNTIME_DB_POOL_MAX', 2, 1, 200),
    dbStatementTimeoutMs: number(env, 'DB_STATEMENT_TIMEOUT_MS', STATEMENT_TIMEOUT_MS, 1000, 3_600_000),
    serviceLimits: serviceLimits(env),
    maxMessageBytes: number(env, 'MAX_MESSAGE_BYTES', 262_144, 1024, 134_217_728),
    retryDelaysMs,
    maxAttempts: number(env, 'MAX_ATTEMPTS', 4, 1, 100),
    heartbeatSeconds: number(env, 'AMQP_HEARTBEAT_SECONDS', 10, 0, 600),
    connectTimeoutMs: number(env, 'AMQP_CONNECT_TIMEOUT_MS', 10_000, 100, 600_000),
    relayBatchSize: number(env, 'RELAY_BATCH_SIZE', 200, 1, 10000),
    batchSize: number(env, 'BATCH_SIZE', 32, 1, 1000),
    gatherUnderLoadMs: number(env, 'GATHER_UNDER_LOAD_MS', 20, 0, 1000),
    relayPollMs: number(env, 'RELAY_POLL_MS', 1000, 10, 600000),
    relayGraceMs: number(env, 'RELAY_GRACE_MS', 5000, 0, 600000),
    relayMarkDelayMs: number(env, 'RELAY_MARK_DELAY_MS', 20, 0, 10000),
    // the contract's limit for one LogEmitted; a batch larger in bytes than half MAX_MESSAGE_BYTES is split
    logBatchSize: number(env, 'LOG_BATCH_SIZE', 500, 1, 1000),
    logBatchMs: number(env, 'LOG_BATCH_MS', 200, 10, 600000),
    retentionHours: number(env, 'RETENTION_HOURS', 168, 1),
    pruneIntervalMs: number(env, 'PRUNE_INTERVAL_MS', 600000, 1000),
    tableMaintenance: oneOf(env, 'TABLE_MAINTENANCE', 'auto', ['auto', 'on', 'off'] as const),
    tableMaintenanceMs: number(env, 'TABLE_MAINTENANCE_MS', 15000, 1000, 3_600_000),
    shutdownTimeoutMs: number(env, 'SHUTDOWN_TIMEOUT_MS', 10000, 0),
    admission: {
      // well under a second of the pipeline's work at this machine's capacity: beyond it an order would only wait in a queue
      maxBacklog: integer(env, 'ADMISSION_MAX_BACKLOG', 200, 0, 10_000_000),
      // a reading 500 ms old let a fast pipeline overshoot and then stand idle through a 2 s Retry-After
      checkMs: integer(env, 'ADMISSION_CHECK_MS', 200, 50, 60_000),
    },
    orderRateLimit: {
      // generous for a person or a shop front-end, a wall for a script posting flat out
      max: integer(env, 'ORDER_RATE_LIMIT_MAX', 60, 0, 1_000_000),
      windowMs: integer(env, 'ORDER_RATE_LIMIT_WINDOW_MS', 60_000, 1000, 86_400_000),
      trustProxy: trustProxy(env.TRUST_PROXY),
    },
    payment: {
      failureRate: number(env, 'PAYMENT_FAILURE_RATE', 0.2, 0, 1),
      latencyMs: number(env, 'PAYMENT_LATENCY_MS', 50, 0, 60000),
      seed: env.PAYMENT_SEED || undefined,
      gatewayUrl: url(env, 'PAYMENT_GATEWAY_URL', undefined, ['http:', 'https:'])?.replace(/\/+$/, ''),
      gatewayTimeoutMs: number(env, 'PAYMENT_GATEWAY_TIMEOUT_MS', 10000, 1, 600000),
      maxInFlight: integer(env, 'PAYMENT_MAX_IN_FLIGHT', 1000, 1, 65535),
      providerPort: number(env, 'PAYMENT_PROVIDER_PORT', 8090, 0, 65535),
      providerKeyHours: number(env, 'PAYMENT_PROVIDER_KEY_HOURS', 24, 0.01, 720),
      providerMaxKeys: integer(env, 'PAYMENT_PROVIDER_MAX_KEYS', 50_000, 100, 100_000_000),
      errorRate: number(env, 'PAYMENT_ERROR_RATE', 0, 0, 1),
      timeoutRate: number(env, 'PAYMENT_TIMEOUT_RATE', 0, 0, 1),
      capacity: integer(env, 'PAYMENT_CAPACITY', 0, 0, 100_000),
    },
  };
  const longestRetryMs = (config.retryDelaysMs ?? [30000]).reduce((a, b) => a + b, 0);
  if (config.retentionHours * 3600_000 < longestRetryMs * 10) {
    throw new ConfigError(`RETENTION_HOURS=${config.retentionHours} must outlast the retries (${longestRetryMs} ms) many times over`);
  }
  // a charge retried after the processor forgot its key would be charged twice
  if (config.payment.providerKeyHours * 3600_000 < longestRetryMs * 10) {
    throw new ConfigError(`PAYMENT_PROVIDER_KEY_HOURS=${config.payment.providerKeyHours} must outlast the retries (${longestRetryMs} ms) many times over`);
  }
  return config;
}
