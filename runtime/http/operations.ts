// Turns an operation of openapi.yaml into a fastify route (method, url, request and
// response schemas), so that routes are declared by operationId and every schema
// comes from the contract, never copied by hand.
import type { HTTPMethods } from 'fastify';
import { deref, rewriteRefs, type JsonSchema, type OpenApiDocument } from './openapi.ts';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch'] as const;

/** What the problem handler needs to name an invalid header the way the contract spells it. */
export interface OperationConfig {
  readonly operationId: string;
  /** Declared header name by its lower-case form (fastify lower-cases request headers). */
  readonly headerNames: Readonly<Record<string, string>>;
}

export interface OperationRoute {
  readonly method: HTTPMethods;
  readonly url: string;
  readonly schema: {
    params?: JsonSchema;
    headers?: JsonSchema;
    querystring?: JsonSchema;
    body?: JsonSchema;
    response: Record<string, { content: Record<string, { schema: JsonSchema }> }>;
  };
  readonly config: OperationConfig;
}

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: JsonSchema;
}

interface Media {
  schema?: JsonSchema;
}

/**
 * The fastify route of `operationId`: path template `{id}` becomes `:id`, parameters
 * become params/headers/querystring object schemas, the JSON request body and every
 * response (by status and media type) keep their contract schemas with `$ref`s
 * pointing into the components registered by `openApiAjv`.
 */
export function operationRoute(doc: OpenApiDocument, operationId: string): OperationRoute {
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      const op = item[method] as Record<string, unknown> | undefined;
      if (op?.operationId !== operationId) continue;
      const parameters = [...asArray(item.parameters), ...asArray(op.parameters)].map((p) => deref<Parameter>(doc, p));
      const schema: OperationRoute['schema'] = { response: {} };
      const headerNames: Record<string, string> = {};
      const params = objectSchema(parameters.filter((p) => p.in === 'path'), (name) => name);
      const headers = objectSchema(parameters.filter((p) => p.in === 'header'), (name) => {
        headerNames[name.toLowerCase()] = name;
        return name.toLowerCase();
      });
      const querystring = objectSchema(parameters.filter((p) => p.in === 'query'), (name) => name);
      if (parameters.some((p) => p.in === 'cookie')) throw new Error(`${operationId}: cookie parameters are not supported`);
      if (params) schema.params = params;
      if (headers) schema.headers = headers;
      if (querystring) schema.querystring = querystring;

      if (op.requestBody !== undefined) {
        const body = deref<{ content?: Record<string, Media> }>(doc, op.requestBody);
        const mediaTypes = Object.keys(body.content ?? {});
        const json = body.content?.['application/json']?.schema;
        if (mediaTypes.length !== 1 || json === undefined) {
          throw new Error(`${operationId}: only an application/json request body is supported (found ${mediaTypes.join(', ')})`);
        }
        schema.body = rewriteRefs(json);
      }

      for (const [status, ref] of Object.entries((op.responses ?? {}) as Record<string, unknown>)) {
        const response = deref<{ content?: Record<string, Media> }>(doc, ref);
        const content: Record<string, { schema: JsonSchema }> = {};
        for (const [mediaType, media] of Object.entries(response.content ?? {})) {
          if (media.schema !== undefined) content[mediaType] = { schema: rewriteRefs(media.schema) };
        }
        if (Object.keys(content).length) schema.response[status] = { content };
      }

      return {
        method: method.toUpperCase() as HTTPMethods,
        url: path.replace(/\{([^}]+)\}/g, ':$1'),
        schema,
        config: { operationId, headerNames },
      };
    }
  }
  throw new Error(`openapi.yaml has no operation ${operationId}`);
}

function objectSchema(parameters: Parameter[], key: (name: string) => string): JsonSchema | undefined {
  if (parameters.length === 0) return undefined;
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const p of parameters) {
    properties[key(p.name)] = rewriteRefs(p.schema ?? {});
    if (p.required || p.in === 'path') required.push(key(p.name));
  }
  return { type: 'object', properties, ...(required.length ? { required } : {}) };
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}
