// The event flow drawn from the contract: generated/event-flow.mmd (Mermaid, embedded
// in the README), generated/event-flow.svg (self-contained) and generated/events.html
// (the picture and every event's channel, senders, receivers, fields and example; the
// api serves it at /events, next to /docs).
import { flowGraph, mermaid, svg } from '#lib/event-flow.mjs';
import { eventPage } from '#lib/event-page.mjs';

const SOURCE = 'Generated from asyncapi.yaml by templates/ (npm run generate). Do not edit.';

/**
 * @param {{ model: import('#lib/model.mjs').Model }} props
 */
export function EventFlowMermaid({ model }) {
  return mermaid(flowGraph(model), SOURCE);
}

/**
 * @param {{ model: import('#lib/model.mjs').Model, title: string }} props
 */
export function EventFlowSvg({ model, title }) {
  return svg(flowGraph(model), `${title}: event flow. ${SOURCE}`);
}

/**
 * @param {{ model: import('#lib/model.mjs').Model, title: string }} props
 */
export function EventPage({ model, title }) {
  return eventPage(model, { title, svg: svg(flowGraph(model), `${title}: event flow. ${SOURCE}`), source: SOURCE });
}
