// How a service process is started: `npm start` (package.json) is the one definition of
// its Node flags (the heap budget); the Dockerfile's CMD repeats them (compose.unit checks
// that the two agree), and the test and bench systems start their processes with them, so
// what is tested and measured is what runs.
import { readFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.join(import.meta.dirname, '..', '..');

/** The Node flags of `npm start`: what comes between `node` and `runtime/main.ts`. */
export function serviceNodeFlags(): string[] {
  const start = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.start;
  const words = start.trim().split(/\s+/);
  if (words[0] !== 'node' || words.at(-1) !== 'runtime/main.ts') {
    throw new Error(`package.json's start script is "${start}"; expected "node [flags] runtime/main.ts"`);
  }
  return words.slice(1, -1);
}
