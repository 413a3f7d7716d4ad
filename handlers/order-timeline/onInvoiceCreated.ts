// order-timeline: records InvoiceCreated in the order's timeline, at its issuedAt.
import type { OrderTimelineHandlers } from '../../generated/services/order-timeline.ts';
import { recordOrderEvent } from './record.ts';

export const onInvoiceCreated: OrderTimelineHandlers['onInvoiceCreated'] = (event, ctx) => recordOrderEvent(ctx, 'InvoiceCreated', event, event.issuedAt);
