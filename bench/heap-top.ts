// Lists the top allocation sites of a .heapprofile (bench/heap-profile.ts writes them):
// node bench/heap-top.ts FILE [N]. Bytes sampled by the allocating function, then by the
// nearest function of this project on the stack (which of our code caused them).
import { readFileSync } from 'node:fs';

interface CallFrame { readonly functionName: string; readonly url: string; readonly lineNumber: number }
interface Node { readonly callFrame: CallFrame; readonly selfSize: number; readonly children: readonly Node[] }

const [file, count = '25'] = process.argv.slice(2);
if (!file) {
  console.error('usage: node bench/heap-top.ts FILE.heapprofile [N]');
  process.exit(2);
}
const root = (JSON.parse(readFileSync(file, 'utf8')) as { head: Node }).head;
const ROOT_DIR = new URL('..', import.meta.url).href;
const where = (f: CallFrame) => {
  const pkg = /node_modules\/((@[^/]+\/)?[^/]+)/.exec(f.url)?.[1];
  return `${f.functionName || '(anonymous)'} ${pkg ?? (f.url.startsWith(ROOT_DIR) ? f.url.slice(ROOT_DIR.length) : f.url || '(native)')}:${f.lineNumber + 1}`;
};
const ours = (f: CallFrame) => f.url.startsWith(ROOT_DIR) && !f.url.includes('/node_modules/');
const bySite = new Map<string, number>();
const byOurs = new Map<string, number>();
let total = 0;
const walk = (node: Node, nearestOurs: string) => {
  const site = where(node.callFrame);
  const own = ours(node.callFrame) ? site : nearestOurs;
  total += node.selfSize;
  bySite.set(site, (bySite.get(site) ?? 0) + node.selfSize);
  byOurs.set(own, (byOurs.get(own) ?? 0) + node.selfSize);
  for (const child of node.children) walk(child, own);
};
walk(root, '(no function of ours on the stack)');
const top = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).slice(0, Number(count))
  .map(([k, v]) => `${(100 * v / total).toFixed(1).padStart(5)}%  ${k}`).join('\n');
console.log(`${(total / 2 ** 20).toFixed(0)} MiB sampled\n\nby allocating function:\n${top(bySite)}\n\nby the nearest function of ours:\n${top(byOurs)}`);
