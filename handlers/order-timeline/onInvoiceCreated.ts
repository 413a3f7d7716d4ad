// order-timeline: records InvoiceCreated in the order's timeline, at its issuedAt.
import type { InvoiceCreated } from '../../generated/types.ts';
import type { OrderTimelineHandlers } from '../../generated/services/order-timeline.ts';
import { recordedAt } from './record.ts';

export const onInvoiceCreated: OrderTimelineHandlers['onInvoiceCreated'] = recordedAt('InvoiceCreated', (event: InvoiceCreated) => event.issuedAt);
