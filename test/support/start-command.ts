// How a service process is started: `npm start` (package.json) is the one definition of
// its environment settings (the allocator's) and its Node flags (the heap budget); the
// Dockerfile repeats them as ENV and CMD (compose.unit checks that they agree), and the
// test and bench systems start their processes with them, so what is tested and measured
// is what runs.
import { readFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.join(import.meta.dirname, '..', '..');

interface StartCommand {
  /** The `KEY=VALUE` words before `node`. */
  readonly env: Readonly<Record<string, string>>;
  /** What comes between `node` and `runtime/main.ts`. */
  readonly flags: readonly string[];
}

function startCommand(): StartCommand {
  const start = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.start;
  const words = start.trim().split(/\s+/);
  const node = words.indexOf('node');
  const settings = words.slice(0, Math.max(node, 0));
  if (node < 0 || words.at(-1) !== 'runtime/main.ts' || !settings.every((word) => /^[A-Z_][A-Z0-9_]*=\S+$/.test(word))) {
    throw new Error(`package.json's start script is "${start}"; expected "[KEY=VALUE ...] node [flags] runtime/main.ts"`);
  }
  const env = Object.fromEntries(settings.map((word) => [word.slice(0, word.indexOf('=')), word.slice(word.indexOf('=') + 1)]));
  return { env, flags: words.slice(node + 1, -1) };
}

/** The Node flags of `npm start`. */
export function serviceNodeFlags(): string[] {
  return [...startCommand().flags];
}

/** The environment settings `npm start` puts before `node` (they win over the caller's, as in the shell). */
export function serviceStartEnv(): Record<string, string> {
  return { ...startCommand().env };
}
