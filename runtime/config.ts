// Configuration from environment variables, each with a working local default.
// Checked once at start: a bad value stops the process with one clear line.

export interface Config {
  readonly amqpUrl: string;
  readonly databaseUrl: string;
  /** Unset: the all-in-one run starts an embedded mail catcher. */
  readonly smtpUrl: string | undefined;
  readonly mailFrom: string;
  readonly port: number;
  /** Health endpoint of processes that run no api (0: none). */
  readonly healthPort: number;
  /** Services this process runs; every service when SERVICE is unset or "all". */
  readonly services: readonly string[] | 'all';
  readonly logLevel: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';
  /** Level from which log records are also emitted as LogEmitted events. */
  readonly eventLogLevel: 'debug' | 'info' | 'warn' | 'error' | 'off';
  readonly prefetch: number;
  readonly dbPoolMax: number;
  readonly retryDelaysMs: readonly number[] | undefined;
  readonly maxAttempts: number;
  readonly heartbeatSeconds: number;
  readonly relayBatchSize: number;
  readonly relayPollMs: number;
  readonly retentionHours: number;
  readonly pruneIntervalMs: number;
  readonly shutdownTimeoutMs: number;
  readonly payment: { readonly failureRate: number; readonly latencyMs: number; readonly seed: string | undefined };
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

function oneOf<T extends string>(env: Env, name: string, fallback: T, allowed: readonly T[]): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!(allowed as readonly string[]).includes(raw)) throw new ConfigError(`${name}=${raw} must be one of ${allowed.join(', ')}`);
  return raw as T;
}

function url(env: Env, name: string, fallback: string | undefined, protocols: readonly string[]): string | undefined {
  const raw = env[name] || fallback;
  if (raw === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(`${name} is not a URL: ${raw}`);
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

export function loadConfig(env: Env = process.env): Config {
  const retryDelaysMs = env.RETRY_DELAYS_MS
    ? env.RETRY_DELAYS_MS.split(',').map((d) => {
      const v = Number(d.trim());
      if (!Number.isInteger(v) || v < 1) throw new ConfigError(`RETRY_DELAYS_MS must be positive integers separated by commas (got ${env.RETRY_DELAYS_MS})`);
      return v;
    })
    : undefined;
  const service = (env.SERVICE ?? '').trim();
  const config: Config = {
    amqpUrl: url(env, 'AMQP_URL', 'amqp://guest:guest@127.0.0.1:5672', ['amqp:', 'amqps:'])!,
    databaseUrl: url(env, 'DATABASE_URL', 'postgres://postgres@127.0.0.1:5432/shop', ['postgres:', 'postgresql:'])!,
    smtpUrl: url(env, 'SMTP_URL', undefined, ['smtp:', 'smtps:']),
    mailFrom: mailFrom(env.MAIL_FROM || 'Shop <orders@shop.example>'),
    port: number(env, 'PORT', 8080, 0, 65535),
    healthPort: number(env, 'HEALTH_PORT', 0, 0, 65535),
    services: service === '' || service === 'all' ? 'all' : service.split(',').map((s) => s.trim()).filter(Boolean),
    logLevel: oneOf(env, 'LOG_LEVEL', 'info', ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']),
    eventLogLevel: oneOf(env, 'EVENT_LOG_LEVEL', 'info', ['debug', 'info', 'warn', 'error', 'off']),
    prefetch: number(env, 'PREFETCH', 32, 1, 1000),
    dbPoolMax: number(env, 'DB_POOL_MAX', 10, 1, 200),
    retryDelaysMs,
    maxAttempts: number(env, 'MAX_ATTEMPTS', 4, 1, 100),
    heartbeatSeconds: number(env, 'AMQP_HEARTBEAT_SECONDS', 10, 0, 600),
    relayBatchSize: number(env, 'RELAY_BATCH_SIZE', 200, 1, 10000),
    relayPollMs: number(env, 'RELAY_POLL_MS', 1000, 10, 600000),
    retentionHours: number(env, 'RETENTION_HOURS', 168, 1),
    pruneIntervalMs: number(env, 'PRUNE_INTERVAL_MS', 600000, 1000),
    shutdownTimeoutMs: number(env, 'SHUTDOWN_TIMEOUT_MS', 10000, 0),
    payment: {
      failureRate: number(env, 'PAYMENT_FAILURE_RATE', 0.2, 0, 1),
      latencyMs: number(env, 'PAYMENT_LATENCY_MS', 50, 0, 60000),
      seed: env.PAYMENT_SEED || undefined,
    },
  };
  const longestRetryMs = (config.retryDelaysMs ?? [30000]).reduce((a, b) => a + b, 0);
  if (config.retentionHours * 3600_000 < longestRetryMs * 10) {
    throw new ConfigError(`RETENTION_HOURS=${config.retentionHours} must outlast the retries (${longestRetryMs} ms) many times over`);
  }
  return config;
}
