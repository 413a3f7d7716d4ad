// Compiles one ajv validator per message ahead of time (standalone ESM code) and a
// type-guard declaration next to it, so nothing compiles a schema at run time.
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import standaloneCode from 'ajv/dist/standalone';

const PREFIX = '#/components/schemas/';

function rewriteRefs(node) {
  if (Array.isArray(node)) return node.map(rewriteRefs);
  if (node && typeof node === 'object') {
    const out = {};
    for (const [k, v] of Object.entries(node)) {
      if (k.startsWith('x-')) continue;
      out[k] = k === '$ref' && typeof v === 'string' && v.startsWith(PREFIX) ? `${v.slice(PREFIX.length)}.json` : rewriteRefs(v);
    }
    return out;
  }
  return node;
}

function newAjv(componentSchemas) {
  const ajv = new Ajv({
    allErrors: true,
    strict: true,
    allowUnionTypes: true,
    code: { source: true, esm: true, lines: true },
  });
  addFormats(ajv);
  for (const name of Object.keys(componentSchemas).sort()) {
    ajv.addSchema({ $id: `${name}.json`, ...rewriteRefs(componentSchemas[name]) });
  }
  return ajv;
}

export function renderValidators(model) {
  const files = [];
  for (const m of model.messages) {
    // A fresh instance per message keeps each module self-contained and its output stable.
    const ajv = newAjv(model.componentSchemas);
    const validate = ajv.getSchema(`${m.schemaName}.json`);
    if (!validate) throw new Error(`no schema for ${m.name}`);
    const code = standaloneCode(ajv, validate);
    files.push({
      name: `${m.name}.js`,
      content: [
        model.header,
        `// Validates a ${m.name} payload; errors are ajv ErrorObjects with the failing instancePath.`,
        "import { createRequire } from 'node:module';",
        'const require = createRequire(import.meta.url);',
        code,
        '',
      ].join('\n'),
    });
    files.push({
      name: `${m.name}.d.ts`,
      content: [
        model.header,
        "import type { ErrorObject } from 'ajv';",
        `import type { ${m.name} } from '../types.ts';`,
        '',
        `/** True when data is a valid ${m.name} payload; otherwise \`validate.errors\` says why. */`,
        `declare const validate: { (data: unknown): data is ${m.name}; errors?: ErrorObject[] | null };`,
        'export { validate };',
        'export default validate;',
        '',
      ].join('\n'),
    });
  }
  return files;
}

