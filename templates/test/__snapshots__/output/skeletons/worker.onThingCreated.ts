// Generated from asyncapi.yaml by templates/ (npm run generate). Do not edit.
// Starter for handlers/worker/onThingCreated.ts: copy it there and write the business rule.
// worker_onThingCreated: Work on the thing.
import type { WorkerHandlers } from '../../generated/services/worker.ts';

export const onThingCreated: WorkerHandlers['onThingCreated'] = async (message, ctx) => {
  throw new Error(`worker: onThingCreated is not written yet (order ${ctx.correlationId}, message ${ctx.messageId})`);
};
