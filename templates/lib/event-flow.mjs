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
 * A layered layout for a left-to-right drawing. Each node sits one column right of its
 * furthest predecessor (longest path; an edge closing a cycle is ignored for this); an
 * edge spanning several columns passes through a waypoint in each column between, so it
 * runs between nodes instead of through them. Within a column, nodes and waypoints are
 * ordered by the mean row of their neighbours (barycentre sweeps), ties by label.
 * @param {FlowGraph} graph
 * @returns {{ columns: { id: string, waypoint: boolean }[][], routes: string[][] }}
 *   columns of node ids and waypoint ids; per edge (same order as graph.edges), the ids it passes
 */
export function layout(graph) {
  const ids = graph.nodes.map((n) => n.id);
  const label = new Map(graph.nodes.map((n) => [n.id, n.label]));
  const out = new Map(ids.map((id) => [id, []]));
  for (const e of graph.edges) out.get(e.from).push(e.to);
  // depth-first from the sources first: an edge to a node on the current path closes a cycle
  const state = new Map();
  const closing = new Set();
  const visit = (id) => {
    state.set(id, 'open');
    for (const to of out.get(id)) {
      if (state.get(to) === 'open') closing.add(`${id}\n${to}`);
      else if (!state.has(to)) visit(to);
    }
    state.set(id, 'done');
  };
  const hasIncoming = new Set(graph.edges.map((e) => e.to));
  for (const id of [...ids.filter((i) => !hasIncoming.has(i)), ...ids]) if (!state.has(id)) visit(id);
  const forward = graph.edges.filter((e) => !closing.has(`${e.from}\n${e.to}`));
  const layer = new Map(ids.map((id) => [id, 0]));
  for (let changed = true; changed;) {
    changed = false;
    for (const e of forward) {
      if (layer.get(e.to) < layer.get(e.from) + 1) { layer.set(e.to, layer.get(e.from) + 1); changed = true; }
    }
  }
  // waypoints for long edges
  const slots = new Map(ids.map((id) => [id, { id, waypoint: false, layer: layer.get(id) }]));
  const links = [];
  const routes = graph.edges.map((e, i) => {
    const [a, b] = [layer.get(e.from), layer.get(e.to)];
    if (closing.has(`${e.from}\n${e.to}`) || b <= a) return [e.from, e.to];
    const route = [e.from];
    for (let l = a + 1; l < b; l += 1) {
      const id = `wp${i}_${l}`;
      slots.set(id, { id, waypoint: true, layer: l });
      route.push(id);
    }
    route.push(e.to);
    for (let k = 1; k < route.length; k += 1) links.push([route[k - 1], route[k]]);
    return route;
  });
  const columns = [];
  for (const slot of slots.values()) (columns[slot.layer] ??= []).push(slot);
  const rowOf = new Map();
  const sortKey = (slot) => (slot.waypoint ? `~${slot.id}` : label.get(slot.id));
  const orderBy = (col, neighbours) => {
    const keyed = col.map((slot) => {
      const rows = neighbours(slot.id).map((n) => rowOf.get(n)).filter((r) => r !== undefined);
      return { slot, key: rows.length ? rows.reduce((x, y) => x + y, 0) / rows.length : Infinity };
    });
    keyed.sort((x, y) => (x.key === y.key ? byName(sortKey(x.slot), sortKey(y.slot)) : x.key - y.key));
    keyed.forEach((k, i) => rowOf.set(k.slot.id, i));
    return keyed.map((k) => k.slot);
  };
  const preds = (id) => links.filter(([, to]) => to === id).map(([from]) => from);
  const succs = (id) => links.filter(([from]) => from === id).map(([, to]) => to);
  let ordered = columns.map((col) => orderBy(col, preds));
  for (let sweep = 0; sweep < 2; sweep += 1) {
    for (let c = ordered.length - 2; c >= 0; c -= 1) ordered[c] = orderBy(ordered[c], (id) => [...succs(id), ...preds(id)]);
    for (let c = 1; c < ordered.length; c += 1) ordered[c] = orderBy(ordered[c], (id) => [...preds(id), ...succs(id)]);
  }
  return { columns: ordered.map((col) => col.map(({ id, waypoint }) => ({ id, waypoint }))), routes };
}

const FONT = 13;
const CHAR = 7.4; // average advance of a 13px sans-serif character
const NODE_H = 34;
const WAYPOINT_H = 8;
const ROW_GAP = 16;
const COL_GAP = 64;
const MARGIN = 24;
const escape = (t) => String(t).replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');
const num = (v) => String(Math.round(v * 10) / 10);

/**
 * The graph as a standalone SVG document: columns from `layout`, node widths from their
 * labels, edges as curves with arrowheads (through the waypoints of long edges), a
 * legend line at the bottom.
 * @param {FlowGraph} graph
 * @param {string} title the document's <title>
 * @returns {string}
 */
export function svg(graph, title) {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const { columns, routes } = layout(graph);
  const width = (id) => Math.ceil(byId.get(id).label.length * CHAR) + 28;
  const height = (slot) => (slot.waypoint ? WAYPOINT_H : NODE_H);
  const colWidth = columns.map((col) => Math.max(0, ...col.filter((s) => !s.waypoint).map((s) => width(s.id))) || 40);
  const colHeight = columns.map((col) => col.reduce((h, s) => h + height(s), 0) + ROW_GAP * (col.length - 1));
  const tallest = Math.max(...colHeight);
  const box = new Map();
  let x = MARGIN;
  columns.forEach((col, ci) => {
    let y = MARGIN + (tallest - colHeight[ci]) / 2;
    for (const slot of col) {
      const w = slot.waypoint ? colWidth[ci] : width(slot.id);
      box.set(slot.id, { x: x + (colWidth[ci] - w) / 2, y, w, h: height(slot) });
      y += height(slot) + ROW_GAP;
    }
    x += colWidth[ci] + COL_GAP;
  });
  const totalW = x - COL_GAP + MARGIN;
  const legendY = MARGIN + tallest + 30;
  const totalH = legendY + 16;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${num(totalW)}" height="${num(totalH)}" viewBox="0 0 ${num(totalW)} ${num(totalH)}" font-family="Helvetica, Arial, sans-serif" font-size="${FONT}">`,
    `  <title>${escape(title)}</title>`,
    '  <defs>',
    '    <marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker>',
    '  </defs>',
    '  <rect width="100%" height="100%" fill="#ffffff"/>',
  ];
  graph.edges.forEach((e, i) => {
    const route = routes[i].map((id) => box.get(id));
    const first = route[0];
    let d = `M${num(first.x + first.w)},${num(first.y + first.h / 2)}`;
    let [px, py] = [first.x + first.w, first.y + first.h / 2];
    for (const b of route.slice(1)) {
      const [x2, y2] = [b.x, b.y + b.h / 2];
      const bend = Math.max(24, Math.abs(x2 - px) / 2);
      d += ` C${num(px + bend)},${num(py)} ${num(x2 - bend)},${num(y2)} ${num(x2)},${num(y2)}`;
      [px, py] = [b.x + b.w, y2];
      if (b !== route[route.length - 1]) d += ` L${num(px)},${num(py)}`;
    }
    out.push(`  <path d="${d}" fill="none" stroke="#555" stroke-width="1.2"${e.dashed ? ' stroke-dasharray="5 4"' : ''} marker-end="url(#arrow)"/>`);
  });
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
