// The /events page, drawn from the contract: the event-flow picture (inline) and, per
// message, its channel, who sends and who receives it, its payload's fields with their
// types and constraints, and its example. One self-contained HTML file, no script, so
// the human-readable contract can never drift from asyncapi.yaml.
import { byName } from './names.mjs';
import { typeOf } from './ts-types.mjs';

const CONSTRAINTS = ['format', 'pattern', 'minLength', 'maxLength', 'minimum', 'maximum', 'minItems', 'maxItems'];

/**
 * Text made safe for HTML.
 * @param {unknown} text
 */
export function escapeHtml(text) {
  return String(text).replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');
}

/**
 * A schema's constraints in words, e.g. "format uuid; maxLength 200".
 * @param {any} schema
 * @param {Record<string, any>} componentSchemas
 */
function constraintsOf(schema, componentSchemas) {
  const s = schema.$ref ? componentSchemas[schema.$ref.split('/').pop()] ?? {} : schema;
  if (s.type === 'object') return '';
  const own = CONSTRAINTS.filter((k) => s[k] !== undefined).map((k) => `${k} ${s[k]}`);
  const items = s.type === 'array' && s.items ? constraintsOf(s.items, componentSchemas) : '';
  return [...own, items && `items: ${items}`].filter(Boolean).join('; ');
}

/**
 * The fields of an object schema as table rows.
 * @param {any} schema
 * @param {import('./ts-types.mjs').TypeContext} ctx
 */
function fieldRows(schema, ctx) {
  const required = new Set(schema.required || []);
  return Object.entries(schema.properties || {}).map(([name, prop]) => {
    const target = prop.$ref ? ctx.componentSchemas[prop.$ref.split('/').pop()] ?? {} : prop;
    const description = prop.description ?? target.description ?? '';
    return `<tr><td><code>${escapeHtml(name)}</code></td><td><code>${escapeHtml(typeOf(prop, ctx).replace(/\s+/g, ' '))}</code></td>`
      + `<td>${required.has(name) ? 'yes' : ''}</td><td>${escapeHtml(constraintsOf(prop, ctx.componentSchemas))}</td><td>${escapeHtml(description)}</td></tr>`;
  });
}

/**
 * @param {string[]} rows
 */
function table(rows) {
  return ['<table>', '<tr><th>field</th><th>type</th><th>required</th><th>constraints</th><th>description</th></tr>', ...rows, '</table>'].join('\n');
}

/**
 * The whole page.
 * @param {import('./model.mjs').Model} model
 * @param {{ title: string, svg: string, source: string }} page the contract's title, the flow picture, where it comes from
 * @returns {string}
 */
export function eventPage(model, { title, svg, source }) {
  const named = new Map(Object.entries(model.componentSchemas).filter(([, s]) => s.type === 'object').map(([n]) => [n, n]));
  const ctx = { componentSchemas: model.componentSchemas, named };
  const senders = (message) => model.services.filter((s) => s.sends.includes(message)).map((s) => s.name);
  const receivers = (message) => model.services.flatMap((s) => s.receives.filter((r) => r.message === message).map((r) => ({ service: s.name, summary: r.summary })));
  const messages = [...model.messages].sort((a, b) => byName(a.name, b.name));
  const sections = messages.map((m) => {
    const schema = model.componentSchemas[m.schemaName];
    const example = m.examples[0];
    const received = receivers(m.name);
    return [
      `<section id="${escapeHtml(m.name)}">`,
      `<h2>${escapeHtml(m.name)}</h2>`,
      `<p>${escapeHtml(m.summary || m.title)}</p>`,
      '<dl>',
      `<dt>channel</dt><dd><code>${escapeHtml(m.routingKey)}</code> on exchange <code>${escapeHtml(m.exchange.name)}</code> (${escapeHtml(m.exchange.type)})</dd>`,
      `<dt>sent by</dt><dd>${senders(m.name).map(escapeHtml).join(', ') || '—'}</dd>`,
      `<dt>received by</dt><dd>${received.map((r) => `${escapeHtml(r.service)}${r.summary ? `: ${escapeHtml(r.summary)}` : ''}`).join('<br>') || '—'}</dd>`,
      '</dl>',
      table(fieldRows(schema, ctx)),
      example ? `<details><summary>example: ${escapeHtml(example.name)}</summary><pre>${escapeHtml(JSON.stringify(example.payload, null, 2))}</pre></details>` : '',
      '</section>',
    ].filter(Boolean).join('\n');
  });
  const types = [...named.keys()].filter((n) => !messages.some((m) => m.schemaName === n)).sort(byName).map((n) => [
    `<section id="type-${escapeHtml(n)}">`,
    `<h3>${escapeHtml(n)}</h3>`,
    model.componentSchemas[n].description ? `<p>${escapeHtml(model.componentSchemas[n].description)}</p>` : '',
    table(fieldRows(model.componentSchemas[n], ctx)),
    '</section>',
  ].filter(Boolean).join('\n'));
  return `<!doctype html>
<!-- ${escapeHtml(source)} -->
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
  body { font-family: system-ui, sans-serif; margin: 1.5rem; color: #1f2328; max-width: 72rem; }
  nav a { margin-right: 1.2rem; }
  table { border-collapse: collapse; margin: .5rem 0 1rem; }
  th, td { border: 1px solid #d0d7de; padding: .25rem .5rem; text-align: left; vertical-align: top; font-size: .9rem; }
  dt { font-weight: 600; float: left; clear: left; width: 8rem; }
  dd { margin-left: 8.5rem; }
  section { border-top: 1px solid #d0d7de; margin-top: 1.5rem; }
  pre { background: #f6f8fa; padding: .5rem; overflow-x: auto; }
  .flow svg { max-width: 100%; height: auto; }
</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<p>Every event of <code>asyncapi.yaml</code>: which service sends and receives it, and what it carries.</p>
<nav><a href="/docs">API docs</a> <a href="/openapi.yaml">openapi.yaml</a> <a href="/asyncapi.yaml">asyncapi.yaml</a> <a href="/event-flow.svg">the picture alone</a></nav>
<div class="flow">
${svg.replace(/^<\?xml[^>]*>\s*/, '')}
</div>
<p>${messages.map((m) => `<a href="#${escapeHtml(m.name)}">${escapeHtml(m.name)}</a>`).join(' · ')}</p>
${sections.join('\n')}
<h2>Types</h2>
${types.join('\n')}
</body>
</html>
`;
}
