// One message's validator module (ajv standalone code, two bounded passes) and its
// type-guard declaration.
import { HEADER, lines } from '#lib/names.mjs';
import { BOUNDED_VALIDATE, compileValidator, scoped } from '#lib/validators.mjs';

/**
 * validators/<Message>.js
 * @param {{ model: import('#lib/model.mjs').Model, message: import('#lib/model.mjs').Message }} props
 */
export function Validator({ model, message: m }) {
  const passes = compileValidator(model, m);
  return [
    HEADER,
    `// Validates a ${m.name} payload; errors are ajv ErrorObjects with the failing instancePath,`,
    '// at most MAX_REPORTED_ERRORS of them (validate.truncated: more may exist).',
    "import { createRequire } from 'node:module';",
    'const require = createRequire(import.meta.url);',
    '',
    '// first pass: stops at the first error',
    `const firstError = ${scoped(passes.firstError)};`,
    '',
    '// second pass, only for a small invalid message: every error',
    `const allErrors = ${scoped(passes.allErrors)};`,
    BOUNDED_VALIDATE,
  ].join('\n');
}

/**
 * validators/<Message>.d.ts
 * @param {{ message: import('#lib/model.mjs').Message }} props
 */
export function ValidatorTypes({ message: m }) {
  return lines([
    HEADER,
    "import type { ErrorObject } from 'ajv';",
    `import type { ${m.name} } from '../types.ts';`,
    '',
    `/** True when data is a valid ${m.name} payload; otherwise \`validate.errors\` says why (at most 10; \`truncated\`: more may exist). */`,
    `declare const validate: { (data: unknown): data is ${m.name}; errors?: ErrorObject[] | null; truncated?: boolean };`,
    'export { validate };',
    'export default validate;',
  ]);
}
