// test-lock: templates-transpile (the generator rewrites templates/__transpiled each run; another file's run would read it half-written)
// The whole template on the fixture contract: the files it writes and their contents,
// against the snapshot tree; and one model built for the whole run.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateFromAsyncApi } from '../../tools/generate.ts';
import { modelOf } from '../lib/model.mjs';
import { FIXTURE } from './support/components.ts';
import { SNAPSHOTS, matchSnapshot } from './support/snapshot.ts';

let out = '';
let buildsInRun = 0;

test.before(async () => {
  out = await mkdtemp(path.join(tmpdir(), 'template-output-'));
  const before = modelOf.builds;
  await generateFromAsyncApi(out, FIXTURE);
  buildsInRun = modelOf.builds - before;
});
test.after(async () => {
  await rm(out, { recursive: true, force: true });
});

async function files(dir: string, base = dir): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const found: string[] = [];
  for (const e of entries) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) found.push(...await files(full, base));
    else found.push(path.relative(base, full));
  }
  return found.sort();
}

test('one run builds the model once, for every template file', () => {
  assert.is(buildsInRun, 1);
});

test('the run writes the same files as the snapshot', async () => {
  const written = await files(out);
  if (process.env.UPDATE_SNAPSHOTS !== '1') assert.equal(written, await files(path.join(SNAPSHOTS, 'output')));
  assert.ok(written.includes('services/index.ts') && written.includes('event-flow.svg'));
});

test('every file written matches its snapshot', async () => {
  for (const file of await files(out)) await matchSnapshot(path.join('output', file), await readFile(path.join(out, file), 'utf8'));
});

test.run();
