// Maps the contract's JSON Schemas to TypeScript types: one interface per message
// payload (named after the message) and per object component; no enums (literal
// unions instead), so the output runs under Node's type stripping.
import { byName, literal, oneLine } from './names.mjs';

const PREFIX = '#/components/schemas/';
/** Keywords that only constrain or document values: the TypeScript type stays as it is. */
const VALUE_KEYWORDS = new Set([
  'description', 'title', 'examples', 'example', 'format', 'pattern', 'minLength', 'maxLength', 'minimum', 'maximum',
  'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf', 'minItems', 'maxItems', 'uniqueItems', 'default', 'deprecated',
]);
const TYPE_KEYWORDS = new Set(['$ref', 'type', 'enum', 'const', 'oneOf', 'items', 'properties', 'required', 'additionalProperties']);

/**
 * How schemas map: the component schemas a $ref may point at, and which of them are
 * types of their own (a $ref to one becomes its name; any other is inlined).
 * @typedef {{ componentSchemas: Record<string, any>, named: Map<string, string> }} TypeContext
 */

/**
 * The exact TypeScript type of a JSON Schema (the one mapper of the AsyncAPI template and
 * of tools/generate-http.ts): required vs optional as declared, enums and consts as
 * literal unions, `null` where allowed, formats as string. A keyword it cannot express
 * exactly stops the generation, naming where, instead of widening a type.
 * @param {any} schema
 * @param {TypeContext} ctx
 * @param {number} [indent] nesting depth of the surrounding object type
 * @param {string} [where] the schema's place in its document, for errors
 * @returns {string}
 */
export function typeOf(schema, ctx, indent = 0, where = 'schema') {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) throw new Error(`${where}: not a schema object`);
  for (const keyword of Object.keys(schema)) {
    if (!TYPE_KEYWORDS.has(keyword) && !VALUE_KEYWORDS.has(keyword)) throw new Error(`${where}: keyword ${keyword} is not supported by the type mapper`);
  }
  if (schema.$ref !== undefined) {
    if (typeof schema.$ref !== 'string' || !schema.$ref.startsWith(PREFIX)) throw new Error(`${where}: $ref ${schema.$ref} does not point into ${PREFIX}`);
    const name = schema.$ref.slice(PREFIX.length);
    const target = ctx.componentSchemas[name];
    if (!target) throw new Error(`${where}: unresolved $ref ${schema.$ref}`);
    if (ctx.named.has(name)) return ctx.named.get(name);
    return typeOf(target, ctx, indent, `components.schemas.${name}`);
  }
  if (Array.isArray(schema.enum)) return schema.enum.map(literal).join(' | ');
  if (schema.const !== undefined) return literal(schema.const);
  if (Array.isArray(schema.oneOf)) return schema.oneOf.map((sub, i) => typeOf(sub, ctx, indent, `${where}.oneOf[${i}]`)).join(' | ');
  if (schema.type === undefined) return 'unknown';
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  return types.map((t) => {
    switch (t) {
      case 'string': return 'string';
      case 'integer':
      case 'number': return 'number';
      case 'boolean': return 'boolean';
      case 'null': return 'null';
      case 'array': {
        const item = typeOf(schema.items, ctx, indent, `${where}.items`);
        return /[|&]/.test(item) ? `Array<${item}>` : `${item}[]`;
      }
      case 'object': return objectType(schema, ctx, indent, where);
      default: throw new Error(`${where}: unsupported type ${JSON.stringify(t)}`);
    }
  }).join(' | ');
}

/**
 * An object schema as a TypeScript object type with readonly members (optional unless
 * required; an index signature unless additionalProperties is false).
 * @param {any} schema
 * @param {TypeContext} ctx
 * @param {number} [indent]
 * @param {string} [where]
 * @returns {string}
 */
export function objectType(schema, ctx, indent = 0, where = 'schema') {
  const required = new Set(schema.required || []);
  const properties = schema.properties || {};
  for (const name of required) if (!(name in properties)) throw new Error(`${where}: required ${name} is not among its properties`);
  const pad = '  '.repeat(indent + 1);
  const members = Object.entries(properties).flatMap(([key, prop]) => [
    ...docComment(prop.description, pad),
    `${pad}readonly ${propertyKey(key)}${required.has(key) ? '' : '?'}: ${typeOf(prop, ctx, indent + 1, `${where}.${key}`)};`,
  ]);
  if (schema.additionalProperties !== false) {
    if (schema.additionalProperties !== undefined && schema.additionalProperties !== true) {
      throw new Error(`${where}: additionalProperties with a schema is not supported`);
    }
    members.push(`${pad}readonly [extra: string]: unknown;`);
  }
  return `{\n${members.join('\n')}\n${'  '.repeat(indent)}}`;
}

/**
 * A property name as it may stand in an object type.
 * @param {string} name
 */
export function propertyKey(name) {
  return /^[A-Za-z_$][\w$]*$/.test(name) ? name : literal(name);
}

/**
 * A JSDoc comment: a description with list items keeps its lines, any other is one line.
 * @param {unknown} text
 * @param {string} pad
 * @returns {string[]}
 */
export function docComment(text, pad) {
  if (typeof text !== 'string' || text.trim() === '') return [];
  const clean = text.trim().replaceAll('*/', '*\\/');
  if (!/^\s*- /m.test(clean)) return [`${pad}/** ${clean.replace(/\s+/g, ' ')} */`];
  return [`${pad}/**`, ...clean.split('\n').map((line) => `${pad} * ${line.trimEnd()}`.trimEnd()), `${pad} */`];
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
    return { typeName, doc, body: objectType(schema, ctx, 0, `components.schemas.${schemaName}`) };
  });
}
