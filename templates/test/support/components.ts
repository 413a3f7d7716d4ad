// Loads the template's JSX components the way the generator does (the SDK's rollup +
// babel transpiler) into a scratch folder inside templates/, where their `#lib/*`
// imports resolve through templates/package.json; and parses a contract into the
// document the generator hands its templates.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Parser, fromFile } from '@asyncapi/parser';

const require = createRequire(import.meta.url);
const sdk = require('@asyncapi/generator-react-sdk') as {
  transpileFiles(dir: string, out: string, options?: { recursive?: boolean }): Promise<void>;
  render(element: unknown): string;
};

export const TEMPLATES = path.resolve(import.meta.dirname, '..', '..');
export const FIXTURE = path.join(TEMPLATES, 'test', 'fixture', 'asyncapi.yaml');
export const render = sdk.render;

export type Component = (props: any) => unknown;

export interface LoadedComponents {
  readonly components: Record<string, Component>;
  remove(): Promise<void>;
}

/** Every export of templates/components/*.js, by name. */
export async function loadComponents(): Promise<LoadedComponents> {
  const dir = await mkdtemp(path.join(TEMPLATES, '.components-'));
  try {
    await sdk.transpileFiles(path.join(TEMPLATES, 'components'), dir);
    const components: Record<string, Component> = {};
    const sources = new Set(await readdir(path.join(TEMPLATES, 'components')));
    for (const file of (await readdir(dir)).filter((f) => sources.has(f)).sort()) {
      Object.assign(components, require(path.join(dir, file)));
    }
    return { components, remove: () => rm(dir, { recursive: true, force: true }) };
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

/** The parsed document and its text, as the generator gives them to each template file. */
export async function parseContract(file: string): Promise<{ asyncapi: unknown; original: string }> {
  const original = await readFile(file, 'utf8');
  const { document, diagnostics } = await fromFile(new Parser(), file).parse();
  if (!document) throw new Error(`${file} does not parse: ${diagnostics.map((d) => d.message).join('; ')}`);
  return { asyncapi: document, original };
}
