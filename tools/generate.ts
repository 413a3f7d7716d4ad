// Regenerates generated/ from asyncapi.yaml through our template (templates/).
// With --check, generates into a temporary folder and fails when generated/
// differs from it (CI's drift check), leaving generated/ untouched.
import { mkdtemp, rm, readdir, readFile, rename, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { generateHttpInto } from './generate-http.ts';

const require = createRequire(import.meta.url);
const Generator = require('@asyncapi/generator');

const root = path.resolve(import.meta.dirname, '..');
const spec = process.env.ASYNCAPI_SPEC ?? path.join(root, 'asyncapi.yaml');
const target = path.resolve(root, process.env.GENERATED_DIR ?? 'generated');
const check = process.argv.includes('--check');

export async function generateInto(outputDir: string, specPath = spec): Promise<void> {
  const generator = new Generator(path.join(root, 'templates'), outputDir, { forceWrite: true });
  await generator.generateFromFile(specPath);
  await generateHttpInto(path.join(outputDir, 'http'));
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
  try {
    await generateInto(scratch);
    if (check) {
      const differing = await diffTrees(scratch, target);
      if (differing.length) {
        console.error(`generated/ drifted from asyncapi.yaml (run npm run generate):\n  ${differing.join('\n  ')}`);
        process.exit(1);
      }
      console.log('generated/ matches asyncapi.yaml');
      return;
    }
    await rm(target, { recursive: true, force: true });
    await mkdir(path.dirname(target), { recursive: true });
    await rename(scratch, target).catch(async (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EXDEV') throw err;
      const { cp } = await import('node:fs/promises');
      await cp(scratch, target, { recursive: true });
    });
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
