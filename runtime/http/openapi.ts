// Loads openapi.yaml (the HTTP contract) and builds ajv validators from its components.schemas,
// for the HTTP server's route schemas and for the contract tests.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { Ajv2020, type Options, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

// ajv-formats is CommonJS: under nodenext its default import is the module object.
const addFormats = addFormatsModule.default;

/** A JSON Schema as it appears in the document (OpenAPI 3.1 Schema Object). */
export type JsonSchema = { [keyword: string]: unknown } | boolean;

/** The parts of an OpenAPI 3.1 document this module relies on; everything else passes through. */
export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string; [key: string]: unknown };
  paths: Record<string, Record<string, unknown>>;
  components: {
    schemas: Record<string, JsonSchema>;
    [kind: string]: Record<string, unknown> | undefined;
  };
  [key: string]: unknown;
}

/** openapi.yaml at the repository root. */
export const OPENAPI_PATH = fileURLToPath(new URL('../../openapi.yaml', import.meta.url));

/** `$id` under which the document's components.schemas are registered (as `$defs`). */
export const COMPONENTS_ID = 'openapi.json';

const COMPONENT_SCHEMA_PREFIX = '#/components/schemas/';

/** Reads and parses the OpenAPI document (openapi.yaml by default). */
export function loadOpenApi(path: string = OPENAPI_PATH): OpenApiDocument {
  const doc: unknown = parse(readFileSync(path, 'utf8'));
  if (!isObject(doc) || typeof doc.openapi !== 'string' || !isObject(doc.paths)
    || !isObject(doc.components) || !isObject(doc.components.schemas)) {
    throw new Error(`${path} is not an OpenAPI document with paths and components.schemas`);
  }
  return doc as unknown as OpenApiDocument;
}

/** The `$ref` that reaches component schema `name` once the components are in ajv. */
export function schemaRef(name: string): string {
  return `${COMPONENTS_ID}#/$defs/${name}`;
}

/**
 * Deep copy of `node` with every `#/components/schemas/X` reference rewritten to
 * `openapi.json#/$defs/X`, so a schema taken out of the document resolves in ajv.
 * Any other document-internal `$ref` inside a schema is an error.
 */
export function rewriteRefs<T>(node: T): T {
  if (Array.isArray(node)) return node.map((item) => rewriteRefs(item)) as T;
  if (!isObject(node)) return node;
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === '$ref' && typeof value === 'string') {
      if (value.startsWith(COMPONENT_SCHEMA_PREFIX)) {
        copy[key] = schemaRef(value.slice(COMPONENT_SCHEMA_PREFIX.length));
      } else if (value.startsWith('#')) {
        throw new Error(`schema $ref ${value} does not point into #/components/schemas`);
      } else {
        copy[key] = value;
      }
    } else {
      copy[key] = rewriteRefs(value);
    }
  }
  return copy as T;
}

/** One schema holding every component schema under `$defs`, with `$id` COMPONENTS_ID. */
export function componentsSchema(doc: OpenApiDocument): { $id: string; $defs: Record<string, JsonSchema> } {
  return { $id: COMPONENTS_ID, $defs: rewriteRefs(doc.components.schemas) };
}

/**
 * The `uuid` format as PostgreSQL's uuid type reads it: ajv-formats also accepts a
 * `urn:uuid:` prefix, which the database refuses (a 500 instead of a 400).
 */
export const STRICT_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A strict ajv (JSON Schema 2020-12, as OpenAPI 3.1 uses) with formats (`uuid` as
 * STRICT_UUID), the OpenAPI `example` keyword, and the document's component schemas
 * registered. Validate with `validatorFor(ajv, 'CreateOrderRequest')` or compile
 * `rewriteRefs(schema)`. It stops at the first error unless `allErrors` is asked for;
 * untrusted input goes through `boundedValidator` (validation.ts), which bounds that.
 */
export function openApiAjv(doc: OpenApiDocument, options: Options = {}): Ajv2020 {
  const ajv = new Ajv2020({ strict: true, allErrors: false, allowUnionTypes: true, ...options });
  addFormats(ajv);
  ajv.addFormat('uuid', STRICT_UUID);
  ajv.addKeyword('example');
  ajv.addSchema(componentsSchema(doc));
  return ajv;
}

/** The compiled validator of component schema `name`; throws when there is none. */
export function validatorFor(ajv: Ajv2020, name: string): ValidateFunction {
  const validate = ajv.getSchema(schemaRef(name));
  if (!validate) throw new Error(`no component schema ${name}`);
  return validate;
}

/** The node a document-internal `$ref` (`#/a/b/c`, JSON pointer) points at; throws when missing. */
export function resolvePointer(doc: OpenApiDocument, ref: string): unknown {
  if (!ref.startsWith('#')) throw new Error(`only document-internal refs are supported: ${ref}`);
  let node: unknown = doc;
  for (const raw of ref.slice(1).split('/').slice(1)) {
    const key = decodeURIComponent(raw).replaceAll('~1', '/').replaceAll('~0', '~');
    if (!isObject(node) && !Array.isArray(node)) throw new Error(`unresolvable $ref ${ref}`);
    node = (node as Record<string, unknown>)[key];
    if (node === undefined) throw new Error(`unresolvable $ref ${ref}`);
  }
  return node;
}

/**
 * Follows `$ref` chains of non-schema objects (parameters, responses, headers,
 * request bodies, examples) to the object itself.
 */
export function deref<T = Record<string, unknown>>(doc: OpenApiDocument, node: unknown): T {
  const seen = new Set<string>();
  while (isObject(node) && typeof node.$ref === 'string') {
    if (seen.has(node.$ref)) throw new Error(`circular $ref ${node.$ref}`);
    seen.add(node.$ref);
    node = resolvePointer(doc, node.$ref);
  }
  return node as T;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
