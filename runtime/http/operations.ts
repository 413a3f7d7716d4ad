// Turns an operation of openapi.yaml into a fastify route (method, url, request and
// response schemas), so that routes are declared by operationId and every schema
// comes from the contract, never copied by hand; `serveOperations` takes a handler
// per operationId, typed by the operation's generated types (generated/http/operations.ts).
import type { FastifyInstance, HTTPMethods } from 'fastify';
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

function operationIds(doc: OpenApiDocument): string[] {
  return Object.values(doc.paths).flatMap((item) => METHODS.map((m) => (item[m] as { operationId?: string } | undefined)?.operationId))
    .filter((id): id is string => typeof id === 'string');
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** One operation as generated/http/operations.ts types it. */
export interface OperationTypes {
  params: object;
  query: object;
  headers: object;
  body: unknown;
  responses: Record<number, { body: unknown; headers: object }>;
}

/** A request as the contract types it: every part was validated against the contract before the handler runs. */
export interface OperationRequest<Op extends OperationTypes> {
  readonly params: Op['params'];
  readonly query: Op['query'];
  readonly headers: Op['headers'];
  readonly body: Op['body'];
}

type SuccessStatus<Op extends OperationTypes> = {
  [S in keyof Op['responses']]: `${S & number}` extends `2${string}` ? S : never;
}[keyof Op['responses']];

/** One answer of status S: its body, and the headers the contract declares for it. */
type AnswerOf<S, R> = R extends { body: infer B; headers: infer H }
  ? H extends Record<string, never>
    ? { readonly status: S; readonly body: B; readonly headers?: undefined }
    : { readonly status: S; readonly body: B; readonly headers: H }
  : never;

/**
 * What a handler answers: one of the operation's 2xx statuses, its body, and the
 * headers the contract declares for it. Every other status is an HttpProblem thrown.
 */
export type OperationAnswer<Op extends OperationTypes> = {
  [S in SuccessStatus<Op>]: AnswerOf<S, Op['responses'][S]>;
}[SuccessStatus<Op>];

export type OperationHandler<Op extends OperationTypes> = (request: OperationRequest<Op>) => Promise<OperationAnswer<Op>>;

/** A handler for every operation of the contract, by operationId (like a service's generated handler interface). */
export type OperationHandlers<Ops extends { [Id in keyof Ops]: OperationTypes }> = {
  readonly [Id in keyof Ops]: OperationHandler<Ops[Id]>;
};

/** Adds the route of every operation, each served by its handler; an operation without one stops the start. */
export function serveOperations<Ops extends { [Id in keyof Ops]: OperationTypes }>(
  app: FastifyInstance, doc: OpenApiDocument, handlers: OperationHandlers<Ops>,
): void {
  const missing = operationIds(doc).filter((id) => !Object.hasOwn(handlers, id));
  if (missing.length) throw new Error(`openapi.yaml operations without a handler: ${missing.join(', ')}`);
  for (const [operationId, handler] of Object.entries(handlers) as Array<[string, OperationHandler<OperationTypes>]>) {
    app.route({
      ...operationRoute(doc, operationId),
      handler: async (request, reply) => {
        // fastify validated each part against the schemas this route took from the contract
        const parts = { params: request.params, query: request.query, headers: request.headers, body: request.body } as OperationRequest<OperationTypes>;
        const answer = await handler(parts) as { status: number; body: unknown; headers?: object | undefined };
        if (answer.headers) reply.headers(answer.headers);
        return reply.status(answer.status).send(answer.body);
      },
    });
  }
}
