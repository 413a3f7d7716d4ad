// Regenerates generated/ from asyncapi.yaml through our template (templates/), and the
// event-flow picture embedded in README.md (a copy of generated/event-flow.mmd between
// markers). With --check, generates into a temporary folder and fails when generated/
// or the README's picture differs from it (CI's drift check), touching nothing.
import { mkdtemp, rm, readdir, readFile, rename, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { readBlock, withBlock, type Markers } from './marked-block.ts';
import { generateHttpInto } from './generate-http.ts';
import { CONTRACT_BLOCKS } from './contract-blocks.ts';

const require = createRequire(import.meta.url);
const Generator = require('@asyncapi/generator');

const root = path.resolve(import.meta.dirname, '..');
const spec = process.env.ASYNCAPI_SPEC ?? path.join(root, 'asyncapi.yaml');
const target = path.resolve(root, process.env.GENERATED_DIR ?? 'generated');
const check = process.argv.includes('--check');

/** What our AsyncAPI template makes of a contract (the template's own tests run only this). */
export async function generateFromAsyncApi(outputDir: string, specPath = spec): Promise<void> {
  const generator = new Generator(path.join(root, 'templates'), outputDir, { forceWrite: true });
  await generator.generateFromFile(specPath);
}

/** All of generated/: the AsyncAPI template's output and the HTTP types of openapi.yaml. */
export async function generateInto(outputDir: string, specPath = spec): Promise<void> {
  await generateFromAsyncApi(outputDir, specPath);
  await generateHttpInto(path.join(outputDir, 'http'));
}

const README = path.join(root, 'README.md');
const FLOW: Markers = {
  file: 'README.md',
  start: '<!-- event-flow: generated/event-flow.mmd, copied here by npm run generate; do not edit -->',
  end: '<!-- /event-flow -->',
};

/** The Mermaid text of the README's event-flow block (without its fence); fails when the markers are missing. */
export function readmeFlow(readme: string): string {
  const fenced = /^```mermaid\n([\s\S]*?)```$/.exec(readBlock(readme, FLOW).trim());
  if (!fenced) throw new Error('README.md: the event-flow block must be one ```mermaid fence');
  return fenced[1];
}

/** The README with its event-flow block holding this Mermaid text. */
export function withReadmeFlow(readme: string, mermaid: string): string {
  readmeFlow(readme);
  return withBlock(readme, FLOW, `\n\`\`\`mermaid\n${mermaid}\`\`\`\n`);
}

async function listFiles(dir: string, base = dir): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const files: string[] = [];
  for (const e of entries) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) files.push(...await listFiles(full, base));
    else files.push(path.relative(base, full));
  }
  return files.sort();
}

/** Paths (relative) that differ between two trees: added, removed or changed. */
export async function diffTrees(a: string, b: string): Promise<string[]> {
  const [fa, fb] = [await listFiles(a), await listFiles(b)];
  const all = [...new Set([...fa, ...fb])].sort();
  const differing: string[] = [];
  for (const f of all) {
    const [x, y] = await Promise.all([readFile(path.join(a, f)).catch(() => null), readFile(path.join(b, f)).catch(() => null)]);
    if (!x || !y || !x.equals(y)) differing.push(f);
  }
  return differing;
}

async function main(): Promise<void> {
  const scratch = await mkdtemp(path.join(tmpdir(), 'generated-'));
  // README.md and the contract's blocks in docker-compose.yml and deploy/prometheus.yml follow the project's own generated/ only (GENERATED_DIR elsewhere leaves them alone)
  const ownTarget = target === path.join(root, 'generated');
  try {
    await generateInto(scratch);
    const mermaid = await readFile(path.join(scratch, 'event-flow.mmd'), 'utf8');
    if (check) {
      const differing = await diffTrees(scratch, target);
      if (ownTarget && readmeFlow(await readFile(README, 'utf8')) !== mermaid) differing.push('../README.md (its event-flow block)');
      if (ownTarget) {
        for (const { file, rewrite } of CONTRACT_BLOCKS) {
          const text = await readFile(path.join(root, file), 'utf8');
          if (rewrite(text, await readFile(spec, 'utf8')) !== text) differing.push(`../${file} (its generated block)`);
        }
      }
      if (differing.length) {
        console.error(`generated/ drifted from asyncapi.yaml and openapi.yaml (run npm run generate):\n  ${differing.join('\n  ')}`);
        process.exit(1);
      }
      console.log('generated/ matches asyncapi.yaml and openapi.yaml');
      return;
    }
    await rm(target, { recursive: true, force: true });
    await mkdir(path.dirname(target), { recursive: true });
    await rename(scratch, target).catch(async (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EXDEV') throw err;
      const { cp } = await import('node:fs/promises');
      await cp(scratch, target, { recursive: true });
    });
    if (ownTarget) {
      const readme = await readFile(README, 'utf8');
      const updated = withReadmeFlow(readme, mermaid);
      if (updated !== readme) await writeFile(README, updated);
      for (const { file, rewrite } of CONTRACT_BLOCKS) {
        const text = await readFile(path.join(root, file), 'utf8');
        const updated = rewrite(text, await readFile(spec, 'utf8'));
        if (updated !== text) await writeFile(path.join(root, file), updated);
      }
    }
    console.log(`generated/ written from ${path.relative(root, spec)}`);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

if (import.meta.filename === process.argv[1] || process.argv[1]?.endsWith('tools/generate.ts')) {
  main().catch((err) => {
    console.error('generation failed:', err);
    process.exit(1);
  });
}
