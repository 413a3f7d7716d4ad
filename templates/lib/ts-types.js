// Maps the contract's JSON Schemas to TypeScript types: one interface per message
// payload (named after the message) and per object component; no enums (literal
// unions instead), so the output runs under Node's type stripping.

function literal(v) {
  return JSON.stringify(v);
}

function typeOf(schema, ctx, indent) {
  if (schema.$ref) {
    const name = schema.$ref.slice('#/components/schemas/'.length);
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

function objectType(schema, ctx, indent) {
  const required = new Set(schema.required || []);
  const pad = '  '.repeat(indent + 1);
  const lines = Object.entries(schema.properties || {}).map(([key, prop]) => {
    const doc = prop.description ? `${pad}/** ${prop.description.trim().replace(/\s+/g, ' ')} */\n` : '';
    const k = /^[A-Za-z_$][\w$]*$/.test(key) ? key : literal(key);
    return `${doc}${pad}readonly ${k}${required.has(key) ? '' : '?'}: ${typeOf(prop, ctx, indent + 1)};`;
  });
  if (schema.additionalProperties !== false) lines.push(`${pad}readonly [extra: string]: unknown;`);
  return `{\n${lines.join('\n')}\n${'  '.repeat(indent)}}`;
}

export function renderTypes(model) {
  const named = new Map();
  // Object components get their own names; payload components are named after their message.
  for (const [name, schema] of Object.entries(model.componentSchemas)) {
    if (schema.type === 'object') named.set(name, name);
  }
  for (const m of model.messages) named.set(m.schemaName, m.name);
  const ctx = { componentSchemas: model.componentSchemas, named };
  const out = [model.header, ''];
  const names = [...named.entries()].sort((a, b) => (a[1] < b[1] ? -1 : 1));
  for (const [schemaName, typeName] of names) {
    const schema = model.componentSchemas[schemaName];
    const message = model.messages.find((m) => m.name === typeName);
    const doc = message ? `${message.title}: ${message.summary}` : (schema.description || '').trim().replace(/\s+/g, ' ');
    if (doc) out.push(`/** ${doc} */`);
    out.push(`export interface ${typeName} ${objectType(schema, ctx, 0)}`, '');
  }
  out.push('/** Every message of the contract, by name. */');
  out.push('export interface MessagePayloads {');
  for (const m of model.messages) out.push(`  ${m.name}: ${m.name};`);
  out.push('}', '');
  out.push('export type MessageName = keyof MessagePayloads;', '');
  out.push('/** An event as a handler returns it: the runtime adds the envelope and writes it to the outbox. */');
  out.push('export type OutgoingEvent<N extends MessageName = MessageName> = N extends MessageName');
  out.push('  ? { readonly type: N; readonly payload: MessagePayloads[N] }');
  out.push('  : never;', '');
  return out.join('\n');
}

