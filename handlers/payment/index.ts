// payment: charges persisted orders through the simulated gateway, once per order,
// with the gateway settings of the process configuration (PAYMENT_*).
import type { PaymentHandlers } from '../../generated/services/payment.ts';
import type { Config } from '../../runtime/config.ts';
import type { ServiceModule } from '../../runtime/service.ts';
import { onOrderPersisted } from './onOrderPersisted.ts';

export { paymentDraw, paymentOutcome, type GatewaySettings, type PaymentOutcome } from './gateway.ts';

export const payment: ServiceModule = {
  name: 'payment',
  handlers: (config: Config): PaymentHandlers => ({ onOrderPersisted: onOrderPersisted(config.payment) }),
};
