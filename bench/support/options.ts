// The end-to-end benchmark's command line: how the load is offered, for how long, how
// the system runs, and KEY=VALUE settings handed to the system as they are. A bad
// argument stops the run with one line saying which, before anything starts.

export type Mode = 'all-in-one' | 'per-service';

/** A server of this machine taken down, silenced (or its broker's disk alarm raised) during the window, and brought back (test/support/faults.ts). */
export interface Fault {
  readonly kind: 'postgres-restart' | 'postgres-silent' | 'rabbitmq-restart' | 'rabbitmq-alarm';
  /** Seconds into the measured window. */
  readonly atSecond: number;
  /** rabbitmq-restart: how long the broker's app stays stopped; rabbitmq-alarm: how long the alarm lasts; postgres-silent: how long new connections stay silent. */
  readonly downSeconds: number;
}

const FAULT_KINDS = ['postgres-restart', 'postgres-silent', 'rabbitmq-restart', 'rabbitmq-alarm'] as const;
const DEFAULT_FAULT_DOWN_SECONDS = 10;

export type Load =
  /** Closed loop: each client posts its next order as soon as the previous one is answered. */
  | { readonly kind: 'closed'; readonly clients: number }
  /** Open loop: orders are offered at a fixed rate, whatever the answers take. */
  | { readonly kind: 'open'; readonly rate: number };

export interface Options {
  readonly load: Load;
  readonly seconds: number;
  /**
   * Load offered before the measured window, the same as in it, that no figure counts:
   * a system just started opens its connections and compiles its hot code under the
   * first orders, which a system in service did long ago.
   */
  readonly warmupSeconds: number;
  /** How long to wait after the load for accepted orders to complete. */
  readonly drainSeconds: number;
  readonly mode: Mode;
  readonly skipRaw: boolean;
  /**
   * How many products the orders draw on: the seed catalog's first N, or all of it and as
   * many bench products as make N. Unset: the seed catalog as it is. Fewer products, more
   * orders that share a product's stock row (store-order and cancel-order lock them).
   */
  readonly products: number | undefined;
  /** --fault: a restart or silence of the machine's PostgreSQL, or a restart or alarm of its RabbitMQ, in the window, to see the system ride it out under load. */
  readonly fault: Fault | undefined;
  /** Environment of the system's processes, over the bench's own defaults. */
  readonly settings: Readonly<Record<string, string>>;
}

export const USAGE = 'usage: npm run bench -- [--clients N | --rate R] [--seconds S] [--warmup S] [--drain S] [--mode all-in-one|per-service] [--products N] [--skip-raw] [--fault postgres-restart@S|postgres-silent@S|rabbitmq-restart@S|rabbitmq-alarm@S [--fault-down S]] [KEY=VALUE ...]';

export class UsageError extends Error {}

const DEFAULT_CLIENTS = 64;
/** The bench products get ids BENCH-00001 to BENCH-99999 (openapi's ProductId). */
const MAX_PRODUCTS = 99_999;

export function parseOptions(args: readonly string[]): Options {
  let clients: number | undefined;
  let rate: number | undefined;
  let seconds = 60;
  let drainSeconds = 60;
  let warmupSeconds = 0;
  let mode: Mode = 'all-in-one';
  let skipRaw = false;
  let products: number | undefined;
  let fault: { kind: Fault['kind']; atSecond: number } | undefined;
  let faultDown: number | undefined;
  const settings: Record<string, string> = {};
  const positive = (name: string, raw: string | undefined, integer: boolean): number => {
    const value = Number(raw);
    if (raw === undefined || !Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
      throw new UsageError(`--${name} needs a positive ${integer ? 'integer' : 'number'} (got ${raw ?? 'nothing'})`);
    }
    return value;
  };
  const nonNegativeSeconds = (name: string, raw: string | undefined): number => {
    const value = Number(raw);
    if (raw === undefined || raw.trim() === '' || !Number.isFinite(value) || value < 0) throw new UsageError(`--${name} needs seconds >= 0 (got ${raw ?? 'nothing'})`);
    return value;
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const setting = /^([A-Z][A-Z0-9_]*)=(.*)$/s.exec(arg);
    if (setting) {
      settings[setting[1]] = setting[2];
      continue;
    }
    switch (arg) {
      case '--clients': clients = positive('clients', args[++i], true); break;
      case '--rate': rate = positive('rate', args[++i], false); break;
      case '--seconds': seconds = positive('seconds', args[++i], false); break;
      case '--drain': drainSeconds = nonNegativeSeconds('drain', args[++i]); break;
      case '--warmup': warmupSeconds = nonNegativeSeconds('warmup', args[++i]); break;
      case '--mode': {
        const value = args[++i];
        if (value !== 'all-in-one' && value !== 'per-service') throw new UsageError(`--mode is all-in-one or per-service (got ${value ?? 'nothing'})`);
        mode = value;
        break;
      }
      case '--skip-raw': skipRaw = true; break;
      case '--products': {
        products = positive('products', args[++i], true);
        if (products > MAX_PRODUCTS) throw new UsageError(`--products is at most ${MAX_PRODUCTS} (got ${products})`);
        break;
      }
      case '--fault': {
        const value = args[++i];
        const m = /^([a-z-]+)@(\d+(?:\.\d+)?)$/.exec(value ?? '');
        const kind = FAULT_KINDS.find((k) => k === m?.[1]);
        if (!m || !kind) throw new UsageError(`--fault is ${FAULT_KINDS.map((k) => `${k}@S`).join(' or ')}, S the seconds into the window (got ${value ?? 'nothing'})`);
        fault = { kind, atSecond: Number(m[2]) };
        break;
      }
      case '--fault-down': faultDown = positive('fault-down', args[++i], false); break;
      default: throw new UsageError(`unknown argument ${JSON.stringify(arg)}`);
    }
  }
  if (clients !== undefined && rate !== undefined) throw new UsageError('--clients (closed loop) and --rate (open loop) exclude each other');
  if (fault && fault.atSecond >= seconds) throw new UsageError(`--fault ${fault.kind}@${fault.atSecond} is not within the ${seconds} s window`);
  const lasting = fault !== undefined && fault.kind !== 'postgres-restart';
  if (faultDown !== undefined && !lasting) throw new UsageError('--fault-down goes with --fault postgres-silent@S, rabbitmq-restart@S or rabbitmq-alarm@S (a PostgreSQL restart takes what it takes)');
  const load: Load = rate !== undefined ? { kind: 'open', rate } : { kind: 'closed', clients: clients ?? DEFAULT_CLIENTS };
  return {
    load, seconds, warmupSeconds, drainSeconds, mode, skipRaw, products, settings,
    fault: fault && { ...fault, downSeconds: lasting ? faultDown ?? DEFAULT_FAULT_DOWN_SECONDS : 0 },
  };
}

export function describeLoad(load: Load): string {
  return load.kind === 'closed' ? `${load.clients} clients, closed loop` : `${load.rate} orders/s offered, open loop`;
}
