// Every service of the shop, by its name in asyncapi.yaml, as a loader: a process
// imports only the services it runs (SERVICE=payment loads payment's module and no
// other). The record's type comes from the contract (generated/services/index.ts): a
// service the contract declares and this record lacks, or the reverse, does not compile.
import type { ServiceLoaders } from '../generated/services/index.ts';
import type { ServiceModule } from '../runtime/service.ts';

export const services: ServiceLoaders = {
  api: async () => (await import('./api/index.ts')).api,
  'store-order': async () => (await import('./store-order/index.ts')).storeOrder,
  payment: async () => (await import('./payment/index.ts')).payment,
  'cancel-order': async () => (await import('./cancel-order/index.ts')).cancelOrder,
  'cancel-email': async () => (await import('./cancel-email/index.ts')).cancelEmail,
  invoice: async () => (await import('./invoice/index.ts')).invoice,
  'invoice-email': async () => (await import('./invoice-email/index.ts')).invoiceEmail,
  'order-confirmation-email': async () => (await import('./order-confirmation-email/index.ts')).orderConfirmationEmail,
  'log-persistence': async () => (await import('./log-persistence/index.ts')).logPersistence,
  'order-timeline': async () => (await import('./order-timeline/index.ts')).orderTimeline,
};

const known = Object.keys(services) as (keyof ServiceLoaders)[];

/** The names, every service's with 'all'; fails on a name the contract lacks. */
function knownNames(names: readonly string[] | 'all'): readonly string[] {
  if (names === 'all') return known;
  for (const name of names) {
    if (!Object.hasOwn(services, name)) throw new Error(`SERVICE names an unknown service "${name}" (known: ${known.join(', ')})`);
  }
  return names;
}

/** Loads the named services' modules (every service with 'all', in the order above); fails on a name the contract lacks. */
export async function selectServices(names: readonly string[] | 'all'): Promise<ServiceModule[]> {
  const wanted = knownNames(names);
  return Promise.all(wanted.map(async (name) => {
    const loaded = await services[name as keyof ServiceLoaders]();
    if (loaded.name !== name) throw new Error(`handlers/index.ts: the loader of ${name} returned the module of ${loaded.name}`);
    return loaded;
  }));
}

/**
 * What runs on the second event loop when the process has two (THREADS): what follows an
 * order's outcome (its e-mails, its timeline, the log store), so that the order's own path
 * (accept, store, pay, invoice, cancel) has the main thread to itself. Measured in two
 * processes this split was the fastest of those tried (bench/ROUNDS.md, "ninth round").
 */
export const SECOND_THREAD: readonly (keyof ServiceLoaders)[] = ['cancel-email', 'invoice-email', 'order-confirmation-email', 'order-timeline', 'log-persistence'];

/** The services each thread runs, the main thread's first: one list when one thread runs them all (THREADS=1, or all on one side). Fails on a name the contract lacks. */
export function threadsOf(names: readonly string[] | 'all', threads: 1 | 2): string[][] {
  const wanted = knownNames(names);
  if (threads === 1) return [[...wanted]];
  const main: string[] = [];
  const second: string[] = [];
  for (const name of wanted) (SECOND_THREAD.includes(name as keyof ServiceLoaders) ? second : main).push(name);
  return main.length && second.length ? [main, second] : [[...wanted]];
}
