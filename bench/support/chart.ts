// The run over time as a plain SVG (no charting library): per second of the run,
// completed orders/s as bars (right axis) and the p50 and p99 end-to-end latency of
// the orders completed in that second as lines (left axis); the load window is shaded.
import type { SecondBucket } from './figures.ts';

const W = 960;
const H = 440;
const M = { top: 76, right: 70, bottom: 52, left: 70 };
const PLOT_W = W - M.left - M.right;
const PLOT_H = H - M.top - M.bottom;

/** A round axis maximum and its step (1, 2 or 5 × 10^k), about five ticks. */
function axis(max: number): { top: number; step: number } {
  const raw = Math.max(max, 1) / 5;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw)!;
  return { top: Math.ceil(Math.max(max, 1) / step) * step, step };
}

const esc = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
export const fmtMs = (ms: number) => (ms >= 1000 ? `${+(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`);

export function latencyChart(buckets: readonly SecondBucket[], options: { title: string; subtitle: string; loadSeconds: number }): string {
  const seconds = Math.max(buckets.length, Math.ceil(options.loadSeconds), 1);
  const latency = axis(Math.max(0, ...buckets.map((b) => b.p99Ms ?? 0)));
  const rate = axis(Math.max(0, ...buckets.map((b) => b.completed)));
  const x = (s: number) => M.left + (s / seconds) * PLOT_W;
  const yLatency = (ms: number) => M.top + PLOT_H - (ms / latency.top) * PLOT_H;
  const yRate = (n: number) => M.top + PLOT_H - (n / rate.top) * PLOT_H;
  const barW = Math.max(1, PLOT_W / seconds - 1);
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="DejaVu Sans, Arial, sans-serif" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="#ffffff"/>`);
  out.push(`<text x="${M.left}" y="22" font-size="16" font-weight="bold">${esc(options.title)}</text>`);
  out.push(`<text x="${M.left}" y="40" fill="#555">${esc(options.subtitle)}</text>`);
  // The load window, shaded; after it the run only drains.
  out.push(`<rect x="${x(0)}" y="${M.top}" width="${x(Math.min(options.loadSeconds, seconds)) - x(0)}" height="${PLOT_H}" fill="#f3f6fa"/>`);
  out.push(`<text x="${x(0) + 6}" y="${M.top + 14}" fill="#888">load</text>`);
  if (x(seconds) - x(options.loadSeconds) > 40) out.push(`<text x="${x(options.loadSeconds) + 6}" y="${M.top + 14}" fill="#888">drain</text>`);
  // Grid and left axis (latency).
  for (let v = 0; v <= latency.top; v += latency.step) {
    out.push(`<line x1="${M.left}" x2="${M.left + PLOT_W}" y1="${yLatency(v)}" y2="${yLatency(v)}" stroke="#e2e2e2"/>`);
    out.push(`<text x="${M.left - 6}" y="${yLatency(v) + 4}" text-anchor="end">${fmtMs(v)}</text>`);
  }
  for (let v = 0; v <= rate.top; v += rate.step) {
    out.push(`<text x="${M.left + PLOT_W + 6}" y="${yRate(v) + 4}" fill="#6b8fb5">${v}</text>`);
  }
  const xStep = axis(seconds).step;
  for (let s = 0; s <= seconds; s += xStep) {
    out.push(`<line x1="${x(s)}" x2="${x(s)}" y1="${M.top + PLOT_H}" y2="${M.top + PLOT_H + 4}" stroke="#333"/>`);
    out.push(`<text x="${x(s)}" y="${M.top + PLOT_H + 18}" text-anchor="middle">${s}</text>`);
  }
  out.push(`<text x="${M.left + PLOT_W / 2}" y="${H - 10}" text-anchor="middle">seconds since the load started (orders by the second they completed in)</text>`);
  out.push(`<text transform="translate(16 ${M.top + PLOT_H / 2}) rotate(-90)" text-anchor="middle">end-to-end latency</text>`);
  out.push(`<text transform="translate(${W - 14} ${M.top + PLOT_H / 2}) rotate(90)" text-anchor="middle" fill="#6b8fb5">completed orders/s</text>`);
  // Bars: completed orders/s.
  for (const b of buckets) {
    if (!b.completed) continue;
    out.push(`<rect x="${x(b.second) + 0.5}" y="${yRate(b.completed)}" width="${barW}" height="${M.top + PLOT_H - yRate(b.completed)}" fill="#bcd3ea"/>`);
  }
  // Lines: p50 and p99, broken where a second completed nothing.
  const line = (pick: (b: SecondBucket) => number | null, colour: string, width: number) => {
    const segments: string[][] = [[]];
    for (const b of buckets) {
      const v = pick(b);
      if (v === null) {
        if (segments.at(-1)!.length) segments.push([]);
        continue;
      }
      segments.at(-1)!.push(`${(x(b.second) + barW / 2 + 0.5).toFixed(1)},${yLatency(v).toFixed(1)}`);
    }
    for (const points of segments.filter((s) => s.length)) {
      out.push(points.length === 1
        ? `<circle cx="${points[0].split(',')[0]}" cy="${points[0].split(',')[1]}" r="2" fill="${colour}"/>`
        : `<polyline points="${points.join(' ')}" fill="none" stroke="${colour}" stroke-width="${width}" stroke-linejoin="round"/>`);
    }
  };
  line((b) => b.p99Ms, '#d9534f', 2);
  line((b) => b.p50Ms, '#1f5fa8', 2);
  out.push(`<rect x="${M.left}" y="${M.top}" width="${PLOT_W}" height="${PLOT_H}" fill="none" stroke="#333"/>`);
  // Legend.
  out.push(`<g transform="translate(${M.left} 62)">`,
    '<line x1="0" x2="22" y1="0" y2="0" stroke="#1f5fa8" stroke-width="2"/><text x="28" y="4">p50 latency</text>',
    '<line x1="110" x2="132" y1="0" y2="0" stroke="#d9534f" stroke-width="2"/><text x="138" y="4">p99 latency</text>',
    '<rect x="220" y="-6" width="22" height="12" fill="#bcd3ea"/><text x="248" y="4">completed/s</text>',
    '</g>');
  out.push('</svg>');
  return out.join('\n') + '\n';
}
