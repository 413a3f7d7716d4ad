// test-lock: templates-transpile (the generator rewrites templates/__transpiled each run; another file's run would read it half-written)
// The generator: deterministic output, and a drift check that catches a hand edit.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtemp, rm, cp, appendFile, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { generateInto, diffTrees, readmeFlow, withReadmeFlow } from '../tools/generate.ts';

const root = path.resolve(import.meta.dirname, '..');
let scratch = '';

test.before(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'generator-test-'));
});
test.after(async () => {
  await rm(scratch, { recursive: true, force: true });
});

function runCheck(generatedDir: string, spec?: string) {
  return spawnSync(process.execPath, ['tools/generate.ts', '--check'], {
    cwd: root,
    env: { ...process.env, GENERATED_DIR: generatedDir, ...(spec ? { ASYNCAPI_SPEC: spec } : {}) },
    encoding: 'utf8',
  });
}

test('two runs produce byte-identical output, equal to the committed generated/', async () => {
  const [a, b] = [path.join(scratch, 'a'), path.join(scratch, 'b')];
  await generateInto(a);
  await generateInto(b);
  assert.equal(await diffTrees(a, b), []);
  assert.equal(await diffTrees(a, path.join(root, 'generated')), []);
});

test('the drift check passes on generated/ and fails on a hand-edited copy', async () => {
  assert.is(runCheck(path.join(root, 'generated')).status, 0);
  const edited = path.join(scratch, 'edited');
  await cp(path.join(root, 'generated'), edited, { recursive: true });
  await appendFile(path.join(edited, 'types.ts'), '\n// a hand edit\n');
  const result = runCheck(edited);
  assert.is(result.status, 1);
  assert.match(result.stderr, 'types.ts');
});

test('a changed payload in the spec shows up as drift', async () => {
  const spec = await readFile(path.join(root, 'asyncapi.yaml'), 'utf8');
  const specPath = path.join(scratch, 'asyncapi.yaml');
  const changed = spec.replace(
    '        reason: { type: string, minLength: 1, maxLength: 500 }\n        failedAt:',
    '        reason: { type: string, minLength: 1, maxLength: 500 }\n        retryable: { type: boolean }\n        failedAt:');
  assert.not.equal(changed, spec, 'the spec edit applied');
  await writeFile(specPath, changed);
  const result = runCheck(path.join(root, 'generated'), specPath);
  assert.is(result.status, 1);
  assert.match(result.stderr, 'types.ts');
  assert.match(result.stderr, 'validators/PaymentFailed.js');
});

test('the README shows the event flow of generated/event-flow.mmd, and generation rewrites only that block', async () => {
  const [readme, mermaid] = await Promise.all([
    readFile(path.join(root, 'README.md'), 'utf8'),
    readFile(path.join(root, 'generated', 'event-flow.mmd'), 'utf8'),
  ]);
  assert.fixture(readmeFlow(readme), mermaid);
  const redrawn = withReadmeFlow(readme, 'flowchart LR\n  a --> b\n');
  assert.is(readmeFlow(redrawn), 'flowchart LR\n  a --> b\n');
  assert.is(withReadmeFlow(redrawn, mermaid), readme, 'everything outside the block is kept');
});

test('the event flow has a node per service and event, and an edge per send and receive of the contract', async () => {
  const mermaid = await readFile(path.join(root, 'generated', 'event-flow.mmd'), 'utf8');
  assert.match(mermaid, /^%% Generated from asyncapi\.yaml/);
  assert.match(mermaid, '  svc_payment --> evt_PaymentSucceeded\n');
  assert.match(mermaid, '  evt_PaymentSucceeded --> svc_invoice\n');
  assert.match(mermaid, '  every_service -.-> evt_LogEmitted\n', 'the cross-cutting send is drawn once');
  assert.not.match(mermaid, 'svc_payment --> evt_LogEmitted');
  const svg = await readFile(path.join(root, 'generated', 'event-flow.svg'), 'utf8');
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  for (const label of ['order-timeline', 'PaymentSucceeded', 'every service but log-persistence, order-timeline']) assert.match(svg, `>${label}</text>`);
});

test.run();
