// The contract drives the code: a payload change in asyncapi.yaml, regenerated,
// shows up as a type error in the handler that no longer fits (checked on a copy
// of the project, so the real tree is never touched).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cp, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
let copy = '';

test.before(async () => {
  copy = await mkdtemp(path.join(tmpdir(), 'contract-change-'));
  const skip = new Set(['node_modules', '.git', '__transpiled']);
  await cp(root, copy, { recursive: true, filter: (src) => !skip.has(path.basename(src)) });
  await symlink(path.join(root, 'node_modules'), path.join(copy, 'node_modules'), 'dir');
});

test.after(async () => {
  await rm(copy, { recursive: true, force: true });
});

test('renaming a PaymentSucceeded field and regenerating breaks the payment handler at compile time', async () => {
  const specPath = path.join(copy, 'asyncapi.yaml');
  const spec = await readFile(specPath, 'utf8');
  const start = spec.indexOf('    PaymentSucceededPayload:');
  const end = spec.indexOf('    PaymentFailedPayload:');
  const block = spec.slice(start, end);
  const renamed = block.replaceAll('paymentId', 'transactionId');
  assert.ok(start > 0 && end > start && renamed !== block, 'the spec edit applied');
  await writeFile(specPath, spec.slice(0, start) + renamed + spec.slice(end));

  const generated = spawnSync(process.execPath, ['tools/generate.ts'], { cwd: copy, encoding: 'utf8' });
  assert.is(generated.status, 0, generated.stderr);
  const tsc = spawnSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '--noEmit', '-p', 'tsconfig.json'], { cwd: copy, encoding: 'utf8' });
  assert.is.not(tsc.status, 0, 'the type check fails');
  assert.match(tsc.stdout, /handlers\/payment\/onOrderPersisted\.ts\(\d+,\d+\): error TS\d+:.*paymentId/);
});

test.run();
