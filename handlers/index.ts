// Every service of the shop, by its name in asyncapi.yaml; the process runs the
// ones SERVICE names (all by default).
import { serviceNames } from '../generated/registry.ts';
import type { ServiceModule } from '../runtime/service.ts';
import { api } from './api/index.ts';
import { storeOrder } from './store-order/index.ts';
import { payment } from './payment/index.ts';
import { cancelOrder } from './cancel-order/index.ts';
import { cancelEmail } from './cancel-email/index.ts';
import { invoice } from './invoice/index.ts';
import { invoiceEmail } from './invoice-email/index.ts';
import { orderConfirmationEmail } from './order-confirmation-email/index.ts';
import { logPersistence } from './log-persistence/index.ts';
import { orderTimeline } from './order-timeline/index.ts';

export const allServices: readonly ServiceModule[] = [
  api, storeOrder, payment, cancelOrder, cancelEmail, invoice, invoiceEmail, orderConfirmationEmail, logPersistence, orderTimeline,
];

export function selectServices(names: readonly string[] | 'all'): ServiceModule[] {
  const missing = serviceNames.filter((n) => !allServices.some((s) => s.name === n));
  if (missing.length) throw new Error(`the contract declares services with no module in handlers/: ${missing.join(', ')}`);
  if (names === 'all') return [...allServices];
  return names.map((name) => {
    const found = allServices.find((s) => s.name === name);
    if (!found) throw new Error(`SERVICE names an unknown service "${name}" (known: ${serviceNames.join(', ')})`);
    return found;
  });
}
