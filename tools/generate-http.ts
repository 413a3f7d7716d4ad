// Generates generated/http/ from openapi.yaml: one TypeScript type per component
// schema and, per operationId, the exact types of its parameters, headers, body and
// responses, so that routes are typed by the contract at compile time. Exact means:
// required vs optional as declared, enums and consts as literal unions, `null` where
// the schema allows it, formats as string; a keyword the mapper cannot express
// exactly stops the generation instead of widening a type.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { OPENAPI_PATH, deref, loadOpenApi, type OpenApiDocument } from '../runtime/http/openapi.ts';
// the one JSON Schema → TypeScript mapper, shared with the AsyncAPI template
import { docComment, objectType as mappedObject, propertyKey, typeOf as mappedType } from '../templates/lib/ts-types.mjs';

const HEADER = '// Generated from openapi.yaml by tools/generate-http.ts (npm run generate). Do not edit.';
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
type Schema = Record<string, unknown>;

/** The shared mapper bound to one document: every component schema is a type of its own here, so a $ref is its name. */
interface Types {
  typeOf(schema: unknown, where: string, indent: number): string;
  objectType(schema: Schema, where: string, indent: number): string;
}

function typesOf(doc: OpenApiDocument): Types {
  const componentSchemas = doc.components.schemas as Record<string, unknown>;
  const ctx = { componentSchemas, named: new Map(Object.keys(componentSchemas).map((name) => [name, name])) };
  return {
    typeOf: (schema, where, indent) => mappedType(schema, ctx, indent, where),
    objectType: (schema, where, indent) => mappedObject(schema, ctx, indent, where),
  };
}

interface Parameter { name: string; in: string; required?: boolean; schema?: Schema; description?: string }
interface Media { schema?: Schema }
interface Header { required?: boolean; schema?: Schema; description?: string }

export async function generateHttpInto(outputDir: string, specPath: string = OPENAPI_PATH): Promise<void> {
  await mkdir(outputDir, { recursive: true });
  for (const [file, text] of Object.entries(renderHttp(loadOpenApi(specPath)))) await writeFile(path.join(outputDir, file), text);
}

/** The files of generated/http/ by name: what `generateHttpInto` writes, without I/O. */
export function renderHttp(doc: OpenApiDocument): Record<string, string> {
  const types = typesOf(doc);
  return { 'types.ts': renderSchemas(doc, types), 'operations.ts': renderOperations(doc, types), 'README.md': README };
}

const README = `# generated/http/

Machine output of \`npm run generate\` from \`openapi.yaml\` through \`tools/generate-http.ts\`.
Never edit: change the spec (or the generator) and regenerate; CI fails on drift.

- \`types.ts\`: one type per component schema of the HTTP contract.
- \`operations.ts\`: per operationId, its parameters, headers, request body and responses
  (\`Operations\`), which the api's routes are typed by (\`runtime/http/operations.ts\`).
`;

function renderSchemas(doc: OpenApiDocument, { typeOf, objectType }: Types): string {
  const out = [HEADER, ''];
  for (const [name, schema] of Object.entries(doc.components.schemas).sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (typeof schema === 'boolean') throw new Error(`components.schemas.${name}: boolean schemas are not supported`);
    out.push(...docComment(schema.description, ''));
    out.push(isObjectSchema(schema)
      ? `export interface ${name} ${objectType(schema, `components.schemas.${name}`, 0)}`
      : `export type ${name} = ${typeOf(schema, `components.schemas.${name}`, 0)};`, '');
  }
  return out.join('\n');
}

function renderOperations(doc: OpenApiDocument, types: Types): string {
  const out = [
    '/** Every operation of openapi.yaml by operationId: what a request carries and what each status answers. */',
    'export interface Operations {',
  ];
  const ops: Array<[string, string]> = [];
  for (const [url, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      const op = item[method] as Schema | undefined;
      if (!op) continue;
      const id = op.operationId;
      if (typeof id !== 'string') throw new Error(`${method.toUpperCase()} ${url} has no operationId`);
      ops.push([id, renderOperation(doc, types, url, method, item, op, id)]);
    }
  }
  for (const [, text] of ops.sort(([a], [b]) => (a < b ? -1 : 1))) out.push(text);
  out.push('}', '', 'export type OperationId = keyof Operations;', '');
  const text = out.join('\n');
  const used = Object.keys(doc.components.schemas).filter((name) => new RegExp(`\\b${name}\\b`).test(text)).sort();
  return [HEADER, '', `import type { ${used.join(', ')} } from './types.ts';`, '', text].join('\n');
}

function renderOperation(doc: OpenApiDocument, types: Types, url: string, method: string, item: Schema, op: Schema, id: string): string {
  const where = `${id} (${method.toUpperCase()} ${url})`;
  const parameters = [...asArray(item.parameters), ...asArray(op.parameters)].map((p) => deref<Parameter>(doc, p));
  if (parameters.some((p) => p.in === 'cookie')) throw new Error(`${where}: cookie parameters are not supported`);
  const group = (kind: string, key: (name: string) => string) => parameterType(types,
    parameters.filter((p) => p.in === kind), key, `${where} ${kind} parameters`, 2);

  let body = 'undefined';
  if (op.requestBody !== undefined) {
    const request = deref<{ required?: boolean; content?: Record<string, Media> }>(doc, op.requestBody);
    const schema = request.content?.['application/json']?.schema;
    if (Object.keys(request.content ?? {}).length !== 1 || !schema) throw new Error(`${where}: only an application/json request body is supported`);
    body = types.typeOf(schema, `${where} request body`, 2) + (request.required ? '' : ' | undefined');
  }

  const responses: string[] = [];
  for (const [status, ref] of Object.entries((op.responses ?? {}) as Record<string, unknown>)) {
    if (!/^[1-5]\d\d$/.test(status)) throw new Error(`${where}: response ${status} is not a status code (ranges and default are not supported)`);
    const response = deref<{ description?: string; headers?: Record<string, unknown>; content?: Record<string, Media> }>(doc, ref);
    const media = Object.entries(response.content ?? {});
    if (media.length > 1) throw new Error(`${where} ${status}: one media type per response is supported`);
    const schema = media[0]?.[1].schema;
    const responseBody = schema ? types.typeOf(schema, `${where} ${status}`, 4) : 'undefined';
    const headers = Object.entries(response.headers ?? {}).map(([name, h]) => {
      const header = deref<Header>(doc, h);
      return { name: name.toLowerCase(), required: header.required === true, schema: header.schema ?? {}, description: header.description };
    });
    responses.push(
      ...docComment(response.description, '      '),
      `      ${status}: {`,
      `        body: ${responseBody};`,
      `        headers: ${headersType(types, headers, `${where} ${status} headers`, 4)};`,
      '      };',
    );
  }

  return [
    ...docComment(`${method.toUpperCase()} ${url}${typeof op.summary === 'string' ? `: ${op.summary}` : ''}`, '  '),
    `  ${id}: {`,
    `    params: ${group('path', (n) => n)};`,
    `    query: ${group('query', (n) => n)};`,
    '    /** Request headers by their lower-case names, as the server reads them. */',
    `    headers: ${group('header', (n) => n.toLowerCase())};`,
    `    body: ${body};`,
    '    responses: {',
    ...responses,
    '    };',
    '  };',
  ].join('\n');
}

function parameterType(types: Types, parameters: Parameter[], key: (name: string) => string, where: string, indent: number): string {
  return headersType(types, parameters.map((p) => ({
    name: key(p.name), required: p.required === true || p.in === 'path', schema: p.schema ?? {}, description: p.description,
  })), where, indent);
}

/** An object type of named values (parameters or headers); `Record<string, never>` when there are none. */
function headersType(types: Types, fields: Array<{ name: string; required: boolean; schema: Schema; description?: string | undefined }>, where: string, indent: number): string {
  if (fields.length === 0) return 'Record<string, never>';
  const pad = '  '.repeat(indent + 1);
  const lines = fields.flatMap((f) => [
    ...docComment(f.description, pad),
    `${pad}readonly ${propertyKey(f.name)}${f.required ? '' : '?'}: ${types.typeOf(f.schema, `${where}.${f.name}`, indent + 1)};`,
  ]);
  return `{\n${lines.join('\n')}\n${'  '.repeat(indent)}}`;
}

function isObjectSchema(schema: Schema): boolean {
  return schema.type === 'object' && schema.$ref === undefined && schema.oneOf === undefined;
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}
