// The event flow of the contract as a graph (services and events as nodes; a sender
// points at its event, an event at each receiver), drawn as Mermaid text and as a
// self-contained SVG with a simple layered layout: no browser, no network, and the
// same model as the code, so the picture cannot drift from asyncapi.yaml.
import { byName } from './names.mjs';

/**
 * @typedef {{ id: string, kind: 'service' | 'event' | 'every-service', label: string, detail: string }} FlowNode
 * @typedef {{ from: string, to: string, dashed: boolean }} FlowEdge
 * @typedef {{ nodes: FlowNode[], edges: FlowEdge[] }} FlowGraph
 */

/** Node id of a service (Mermaid ids allow letters, digits and underscores). */
export const serviceId = (name) => `svc_${name.replace(/[^A-Za-z0-9]/g, '_')}`;
/** Node id of an event. */
export const eventId = (name) => `evt_${name.replace(/[^A-Za-z0-9]/g, '_')}`;
/** Node id of the sender of cross-cutting events (x-every-service). */
export const EVERY_SERVICE_ID = 'every_service';

/**
 * The flow graph: every service and event, an edge from each sender to its event and from
 * each event to each receiver. Cross-cutting sends (x-every-service) come from one
 * "every service" node instead of one edge per service.
 * @param {import('./model.mjs').Model} model
 * @returns {FlowGraph}
 */
export function flowGraph(model) {
  const nodes = [];
  const edges = [];
  for (const s of model.services) nodes.push({ id: serviceId(s.name), kind: 'service', label: s.name, detail: s.description });
  for (const m of model.messages) nodes.push({ id: eventId(m.name), kind: 'event', label: m.name, detail: m.summary });
  if (model.everyServiceSends.length) {
    const except = [...new Set(model.everyServiceSends.flatMap((e) => e.except))].sort(byName);
    nodes.push({ id: EVERY_SERVICE_ID, kind: 'every-service', label: except.length ? `every service but ${except.join(', ')}` : 'every service', detail: 'x-every-service' });
    for (const e of model.everyServiceSends) edges.push({ from: EVERY_SERVICE_ID, to: eventId(e.message), dashed: true });
  }
  for (const s of model.services) {
    for (const m of s.sends) if (!s.everyServiceSends.includes(m)) edges.push({ from: serviceId(s.name), to: eventId(m), dashed: false });
  }
  for (const s of model.services) {
    for (const r of s.receives) edges.push({ from: eventId(r.message), to: serviceId(s.name), dashed: false });
  }
  edges.sort((a, b) => byName(a.from, b.from) || byName(a.to, b.to));
  return { nodes, edges };
}

/**
 * The graph as a Mermaid flowchart (left to right): services as stadiums, events as
 * flags, cross-cutting sends dashed.
 * @param {FlowGraph} graph
 * @param {string} header a Mermaid comment line naming the source
 * @returns {string}
 */
export function mermaid(graph, header) {
  const out = [`%% ${header}`, 'flowchart LR'];
  const quote = (t) => `"${t.replaceAll('"', '#quot;')}"`;
  for (const n of graph.nodes) {
    out.push(n.kind === 'event' ? `  ${n.id}>${quote(n.label)}]` : `  ${n.id}([${quote(n.label)}])`);
  }
  for (const e of graph.edges) out.push(`  ${e.from} ${e.dashed ? '-.->' : '-->'} ${e.to}`);
  const ids = (kind) => graph.nodes.filter((n) => n.kind === kind).map((n) => n.id);
  out.push('  classDef service fill:#e8f0fe,stroke:#3b6fd8,color:#1a2b4c');
  out.push('  classDef event fill:#fff4d6,stroke:#c9a227,color:#4a3b00');
  out.push('  classDef everyService fill:#f3f3f3,stroke:#888,stroke-dasharray:4 3,color:#333');
  if (ids('service').length) out.push(`  class ${ids('service').join(',')} service`);
  if (ids('event').length) out.push(`  class ${ids('event').join(',')} event`);
  if (ids('every-service').length) out.push(`  class ${ids('every-service').join(',')} everyService`);
  return out.join('\n') + '\n';
}

/**
 * Layers for a left-to-right drawing: each node one column right of its furthest
 * predecessor (longest path), edges closing a cycle ignored; within a column, nodes
 * ordered by the mean row of their predecessors (one barycentre sweep), ties by label.
 * @param {FlowGraph} graph
 * @returns {string[][]} node ids per column
 */
export function layers(graph) {
  const ids = graph.nodes.map((n) => n.id);
  const label = new Map(graph.nodes.map((n) => [n.id, n.label]));
  const out = new Map(ids.map((id) => [id, []]));
  for (const e of graph.edges) out.get(e.from).push(e.to);
  // depth-first from every node in order: an edge to a node on the current path closes a cycle
  const state = new Map();
  const forward = [];
  const visit = (id) => {
    state.set(id, 'open');
    for (const to of out.get(id)) {
      if (state.get(to) === 'open') continue;
      forward.push([id, to]);
      if (!state.has(to)) visit(to);
    }
    state.set(id, 'done');
  };
  const hasIncoming = new Set(graph.edges.map((e) => e.to));
  for (const id of [...ids.filter((i) => !hasIncoming.has(i)), ...ids]) if (!state.has(id)) visit(id);
  const layer = new Map(ids.map((id) => [id, 0]));
  for (let changed = true, rounds = 0; changed && rounds <= ids.length; rounds += 1) {
    changed = false;
    for (const [from, to] of forward) {
      if (layer.get(to) < layer.get(from) + 1) { layer.set(to, layer.get(from) + 1); changed = true; }
    }
  }
  const columns = [];
  for (const id of ids) (columns[layer.get(id)] ??= []).push(id);
  const row = new Map();
  return columns.map((col) => {
    const keyed = col.map((id) => {
      const preds = forward.filter(([, to]) => to === id).map(([from]) => row.get(from)).filter((r) => r !== undefined);
      return { id, key: preds.length ? preds.reduce((a, b) => a + b, 0) / preds.length : Infinity };
    });
    keyed.sort((a, b) => (a.key === b.key ? byName(label.get(a.id), label.get(b.id)) : a.key - b.key));
    keyed.forEach((k, i) => row.set(k.id, i));
    return keyed.map((k) => k.id);
  });
}

const FONT = 13;
const CHAR = 7.4; // average advance of a 13px sans-serif character
const NODE_H = 34;
const ROW_GAP = 18;
const COL_GAP = 70;
const MARGIN = 24;
const escape = (t) => String(t).replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');
const num = (v) => String(Math.round(v * 10) / 10);

/**
 * The graph as a standalone SVG document: columns from `layers`, node widths from their
 * labels, edges as curves with arrowheads, a legend line at the bottom.
 * @param {FlowGraph} graph
 * @param {string} title the document's <title>
 * @returns {string}
 */
export function svg(graph, title) {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const columns = layers(graph);
  const width = (n) => Math.ceil(n.label.length * CHAR) + 28;
  const colWidth = columns.map((col) => Math.max(...col.map((id) => width(byId.get(id)))));
  const tallest = Math.max(...columns.map((c) => c.length));
  const height = tallest * (NODE_H + ROW_GAP) - ROW_GAP;
  const box = new Map();
  let x = MARGIN;
  columns.forEach((col, ci) => {
    const colHeight = col.length * (NODE_H + ROW_GAP) - ROW_GAP;
    col.forEach((id, ri) => {
      const w = width(byId.get(id));
      box.set(id, { x: x + (colWidth[ci] - w) / 2, y: MARGIN + (height - colHeight) / 2 + ri * (NODE_H + ROW_GAP), w });
    });
    x += colWidth[ci] + COL_GAP;
  });
  const totalW = x - COL_GAP + MARGIN;
  const legendY = MARGIN + height + 30;
  const totalH = legendY + 16;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${num(totalW)}" height="${num(totalH)}" viewBox="0 0 ${num(totalW)} ${num(totalH)}" font-family="Helvetica, Arial, sans-serif" font-size="${FONT}">`,
    `  <title>${escape(title)}</title>`,
    '  <defs>',
    '    <marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker>',
    '  </defs>',
    `  <rect width="100%" height="100%" fill="#ffffff"/>`,
  ];
  for (const e of graph.edges) {
    const a = box.get(e.from);
    const b = box.get(e.to);
    const [x1, y1, x2, y2] = [a.x + a.w, a.y + NODE_H / 2, b.x, b.y + NODE_H / 2];
    const bend = Math.max(30, Math.abs(x2 - x1) / 2);
    out.push(`  <path d="M${num(x1)},${num(y1)} C${num(x1 + bend)},${num(y1)} ${num(x2 - bend)},${num(y2)} ${num(x2)},${num(y2)}" fill="none" stroke="#555" stroke-width="1.2"${e.dashed ? ' stroke-dasharray="5 4"' : ''} marker-end="url(#arrow)"/>`);
  }
  const style = {
    service: 'fill="#e8f0fe" stroke="#3b6fd8" rx="17"',
    event: 'fill="#fff4d6" stroke="#c9a227" rx="3"',
    'every-service': 'fill="#f3f3f3" stroke="#888888" stroke-dasharray="4 3" rx="17"',
  };
  for (const n of graph.nodes) {
    const b = box.get(n.id);
    out.push(`  <g><title>${escape(n.detail ? `${n.label}: ${n.detail}` : n.label)}</title>`);
    out.push(`    <rect x="${num(b.x)}" y="${num(b.y)}" width="${num(b.w)}" height="${NODE_H}" ${style[n.kind]} stroke-width="1.4"/>`);
    out.push(`    <text x="${num(b.x + b.w / 2)}" y="${num(b.y + NODE_H / 2 + FONT * 0.35)}" text-anchor="middle" fill="#1f1f1f">${escape(n.label)}</text></g>`);
  }
  out.push(`  <text x="${MARGIN}" y="${num(legendY)}" fill="#555">rounded: a service · square: an event (its sender points at it, it points at each receiver) · dashed: sent by every service (x-every-service)</text>`);
  out.push('</svg>');
  return out.join('\n') + '\n';
}
