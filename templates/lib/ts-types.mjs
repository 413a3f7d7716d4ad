// Maps the contract's JSON Schemas to TypeScript types: one interface per message
// payload (named after the message) and per object component; no enums (literal
// unions instead), so the output runs under Node's type stripping.
import { byName, literal, oneLine } from './names.mjs';

const PREFIX = '#/components/schemas/';

/**
 * The TypeScript type of a schema; a $ref to a named (object) component becomes its name.
 * @param {any} schema
 * @param {{ componentSchemas: Record<string, any>, named: Map<string, string> }} ctx
 * @param {number} indent nesting depth of the surrounding object type
 * @returns {string}
 */
export function typeOf(schema, ctx, indent = 0) {
  if (schema.$ref) {
    const name = schema.$ref.slice(PREFIX.length);
    const target = ctx.componentSchemas[name];
    if (!target) throw new Error(`unresolved $ref ${schema.$ref}`);
    if (ctx.named.has(name)) return ctx.named.get(name);
    return typeOf(target, ctx, indent);
  }
  if (schema.enum) return schema.enum.map(literal).join(' | ');
  if (schema.const !== undefined) return literal(schema.const);
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  return types.map((t) => {
    switch (t) {
      case 'string': return 'string';
      case 'integer':
      case 'number': return 'number';
      case 'boolean': return 'boolean';
      case 'null': return 'null';
      case 'array': {
        const item = typeOf(schema.items, ctx, indent);
        return /[|&]/.test(item) ? `Array<${item}>` : `${item}[]`;
      }
      case 'object': return objectType(schema, ctx, indent);
      default: throw new Error(`unsupported schema type ${JSON.stringify(schema.type)}`);
    }
  }).join(' | ');
}

/**
 * An object schema as a TypeScript object type with readonly members (optional unless
 * required; an index signature unless additionalProperties is false).
 * @param {any} schema
 * @param {{ componentSchemas: Record<string, any>, named: Map<string, string> }} ctx
 * @param {number} indent
 * @returns {string}
 */
export function objectType(schema, ctx, indent = 0) {
  const required = new Set(schema.required || []);
  const pad = '  '.repeat(indent + 1);
  const members = Object.entries(schema.properties || {}).map(([key, prop]) => {
    const doc = prop.description ? `${pad}/** ${oneLine(prop.description)} */\n` : '';
    const k = /^[A-Za-z_$][\w$]*$/.test(key) ? key : literal(key);
    return `${doc}${pad}readonly ${k}${required.has(key) ? '' : '?'}: ${typeOf(prop, ctx, indent + 1)};`;
  });
  if (schema.additionalProperties !== false) members.push(`${pad}readonly [extra: string]: unknown;`);
  return `{\n${members.join('\n')}\n${'  '.repeat(indent)}}`;
}

/**
 * Every named type of the contract: object components under their own names, message
 * payloads under their message's name, sorted by type name.
 * @param {import('./model.mjs').Model} model
 * @returns {{ typeName: string, doc: string, body: string }[]}
 */
export function namedTypes(model) {
  const named = new Map();
  for (const [name, schema] of Object.entries(model.componentSchemas)) {
    if (schema.type === 'object') named.set(name, name);
  }
  for (const m of model.messages) named.set(m.schemaName, m.name);
  const ctx = { componentSchemas: model.componentSchemas, named };
  return [...named.entries()].sort((a, b) => byName(a[1], b[1])).map(([schemaName, typeName]) => {
    const schema = model.componentSchemas[schemaName];
    const message = model.messages.find((m) => m.name === typeName);
    const doc = message ? `${message.title}: ${message.summary}` : oneLine(schema.description || '');
    return { typeName, doc, body: objectType(schema, ctx, 0) };
  });
}
