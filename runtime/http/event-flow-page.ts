// The event-flow picture (generated/event-flow.svg, drawn from asyncapi.yaml) served
// beside the API docs: /events is a small page that embeds it and links to the docs
// and both contracts. Without the picture nothing is served there (a 404 problem).
import { existsSync } from 'node:fs';
import type { ServedFile } from './server.ts';

export const EVENT_FLOW_SVG_URL = '/event-flow.svg';

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Event flow · Shop order API</title>
<style>
  body { font-family: system-ui, sans-serif; margin: 1.5rem; color: #1f2328; }
  nav a { margin-right: 1.2rem; }
  object { display: block; max-width: 100%; margin-top: 1rem; }
</style>
</head>
<body>
<h1>Event flow</h1>
<p>Which service sends and receives which event, drawn from <code>asyncapi.yaml</code>.</p>
<nav>
  <a href="/docs">API docs</a>
  <a href="/openapi.yaml">openapi.yaml</a>
  <a href="/asyncapi.yaml">asyncapi.yaml</a>
  <a href="${EVENT_FLOW_SVG_URL}">the picture alone</a>
</nav>
<object data="${EVENT_FLOW_SVG_URL}" type="image/svg+xml" aria-label="Event flow between the services">
  <img src="${EVENT_FLOW_SVG_URL}" alt="Event flow between the services">
</object>
</body>
</html>
`;

/** The /events page and the picture it embeds, when the picture at `svgPath` exists; nothing otherwise. */
export function eventFlowFiles(svgPath: string): Record<string, ServedFile> {
  if (!existsSync(svgPath)) return {};
  return {
    '/events': { contentType: 'text/html; charset=utf-8', text: PAGE },
    [EVENT_FLOW_SVG_URL]: { contentType: 'image/svg+xml', path: svgPath },
  };
}
