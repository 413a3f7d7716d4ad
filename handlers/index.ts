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

/** Loads the named services' modules (every service with 'all', in the order above); fails on a name the contract lacks. */
export async function selectServices(names: readonly string[] | 'all'): Promise<ServiceModule[]> {
  const wanted = names === 'all' ? known : names;
  for (const name of wanted) {
    if (!Object.hasOwn(services, name)) throw new Error(`SERVICE names an unknown service "${name}" (known: ${known.join(', ')})`);
  }
  return Promise.all(wanted.map(async (name) => {
    const loaded = await services[name as keyof ServiceLoaders]();
    if (loaded.name !== name) throw new Error(`handlers/index.ts: the loader of ${name} returned the module of ${loaded.name}`);
    return loaded;
  }));
}
