// Runs the uvu suites and closes with the plain line "N passed, N failed, N skipped".
// Exits non-zero on any failure, on a crash, or when no test ran at all.
// Usage: npm test [-- unit|int|e2e|types]   (no argument: every tier)
import { spawn } from 'node:child_process';

const [major] = process.versions.node.split('.').map(Number);
if (major < 24) {
  console.error(`Node ${process.versions.node} is too old: run through npm (node_modules/.bin/node is Node 24).`);
  process.exit(2);
}

const tier = process.argv[2];
const pattern = tier ? `\\.${tier}\\.spec\\.ts$` : '\\.spec\\.ts$';
const child = spawn(process.execPath, ['node_modules/uvu/bin.js', 'test', pattern, '--no-color'], {
  stdio: ['ignore', 'pipe', 'inherit'],
  env: { ...process.env, FORCE_COLOR: '0' },
});

let output = '';
child.stdout.setEncoding('utf8');
child.stdout.on('data', (chunk: string) => {
  output += chunk;
  process.stdout.write(chunk);
});

child.on('close', (code, signal) => {
  const count = (label: string) => Number(/\b(?:Total|Passed|Skipped):/.test(output)
    ? (output.match(new RegExp(`${label}:\\s+(\\d+)`))?.[1] ?? 0) : 0);
  const total = count('Total');
  const passed = count('Passed');
  const skipped = count('Skipped');
  const failed = Math.max(total - passed - skipped, code === 0 ? 0 : 1);
  console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
  if (signal) console.error(`test process ended by ${signal}`);
  if (code !== 0 || signal || failed > 0) process.exit(1);
  if (total === 0) {
    console.error('no test ran');
    process.exit(1);
  }
});
