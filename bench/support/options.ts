// The end-to-end benchmark's command line: how the load is offered, for how long, how
// the system runs, and KEY=VALUE settings handed to the system as they are. A bad
// argument stops the run with one line saying which, before anything starts.

export type Mode = 'all-in-one' | 'per-service';

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
  /** Environment of the system's processes, over the bench's own defaults. */
  readonly settings: Readonly<Record<string, string>>;
}

export const USAGE = 'usage: npm run bench -- [--clients N | --rate R] [--seconds S] [--warmup S] [--drain S] [--mode all-in-one|per-service] [--products N] [--skip-raw] [KEY=VALUE ...]';

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
      default: throw new UsageError(`unknown argument ${JSON.stringify(arg)}`);
    }
  }
  if (clients !== undefined && rate !== undefined) throw new UsageError('--clients (closed loop) and --rate (open loop) exclude each other');
  const load: Load = rate !== undefined ? { kind: 'open', rate } : { kind: 'closed', clients: clients ?? DEFAULT_CLIENTS };
  return { load, seconds, warmupSeconds, drainSeconds, mode, skipRaw, products, settings };
}

export function describeLoad(load: Load): string {
  return load.kind === 'closed' ? `${load.clients} clients, closed loop` : `${load.rate} orders/s offered, open loop`;
}
