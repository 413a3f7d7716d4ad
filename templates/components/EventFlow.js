// The event flow drawn from the contract: generated/event-flow.mmd (Mermaid, embedded
// in the README) and generated/event-flow.svg (self-contained, served next to /docs).
import { flowGraph, mermaid, svg } from '#lib/event-flow.mjs';

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
