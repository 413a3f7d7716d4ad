// Compiles one ajv validator per message ahead of time (standalone code), so nothing
// compiles a schema at run time. Messages are untrusted input: each module validates in
// two passes whose cost is bounded by the message's size (the logic of
// runtime/http/validation.ts): the first error stops the first pass; only a small invalid
// message is checked again for every error, and at most MAX_REPORTED_ERRORS are kept.
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import standaloneCode from 'ajv/dist/standalone/index.js';

const PREFIX = '#/components/schemas/';

/** A component schema for strict ajv: x- keys (the parser's among them) dropped, $refs pointing at `<Name>.json`. */
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

// ajv-formats' uuid also accepts a `urn:uuid:` prefix, which PostgreSQL's uuid type refuses.
const STRICT_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function newAjv(componentSchemas, allErrors) {
  const ajv = new Ajv({
    allErrors,
    strict: true,
    allowUnionTypes: true,
    // CommonJS so that both passes can live in one module, each in its own scope
    code: { source: true, esm: false, lines: true },
  });
  addFormats(ajv);
  ajv.addFormat('uuid', STRICT_UUID);
  for (const name of Object.keys(componentSchemas).sort()) {
    ajv.addSchema({ $id: `${name}.json`, ...rewriteRefs(componentSchemas[name]) });
  }
  return ajv;
}

// The two passes and the size check; mirrors boundedValidator and isSmall in runtime/http/validation.ts.
export const BOUNDED_VALIDATE = `
/** Most errors one validation reports; \`validate.truncated\` says when more were cut. */
const MAX_REPORTED_ERRORS = 10;
/** Above any of these, an invalid message gets its first error only (allErrors is quadratic in the error count). */
const FULL_REPORT_LIMITS = { values: 2000, stringLength: 4096, totalStringLength: 65536 };

function isSmall(data) {
  let values = 0;
  let chars = 0;
  const stack = [data];
  while (stack.length > 0) {
    const value = stack.pop();
    if (++values > FULL_REPORT_LIMITS.values) return false;
    if (typeof value === 'string') {
      chars += value.length;
      if (value.length > FULL_REPORT_LIMITS.stringLength || chars > FULL_REPORT_LIMITS.totalStringLength) return false;
    } else if (Array.isArray(value)) {
      if (values + value.length > FULL_REPORT_LIMITS.values) return false;
      for (const item of value) stack.push(item);
    } else if (value !== null && typeof value === 'object') {
      const entries = Object.entries(value);
      if (values + entries.length > FULL_REPORT_LIMITS.values) return false;
      for (const [key, item] of entries) {
        chars += key.length;
        if (key.length > FULL_REPORT_LIMITS.stringLength || chars > FULL_REPORT_LIMITS.totalStringLength) return false;
        stack.push(item);
      }
    }
  }
  return true;
}

export function validate(data) {
  validate.errors = null;
  validate.truncated = false;
  if (firstError(data)) return true;
  const first = firstError.errors ?? [];
  if (!isSmall(data)) {
    validate.errors = first.slice(0, MAX_REPORTED_ERRORS);
    validate.truncated = true;
    return false;
  }
  const all = allErrors(data) ? first : (allErrors.errors ?? first);
  validate.errors = all.slice(0, MAX_REPORTED_ERRORS);
  validate.truncated = all.length > MAX_REPORTED_ERRORS;
  return false;
}
export default validate;
`;

/** ajv's standalone CommonJS module as an expression: its exports, its names kept in its own scope. */
export function scoped(code) {
  return ['(() => {', 'const module = { exports: {} };', code, 'return module.exports;', '})()'].join('\n');
}

/**
 * The two ajv passes of one message's validator as CommonJS module sources: the first
 * stops at the first error, the second reports every error. A fresh ajv instance per
 * pass keeps each module self-contained and its output stable.
 * @param {import('./model.mjs').Model} model
 * @param {import('./model.mjs').Message} message
 * @returns {{ firstError: string, allErrors: string }}
 */
export function compileValidator(model, message) {
  const [firstError, allErrors] = [false, true].map((all) => {
    const ajv = newAjv(model.componentSchemas, all);
    const validate = ajv.getSchema(`${message.schemaName}.json`);
    if (!validate) throw new Error(`no schema for ${message.name}`);
    return standaloneCode(ajv, validate);
  });
  return { firstError, allErrors };
}
