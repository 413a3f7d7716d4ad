// The HTTP plumbing shared by any contract-first fastify server: validation with the
// OpenAPI document's own schemas (unknown fields rejected, nothing coerced), responses
// checked against the contract before they leave, JSON bodies only and bounded, every
// error as RFC 9457 problem+json, the contract served as Swagger UI and as files.
// Each request is a SERVER span that continues the client's `traceparent`, if it sent
// one; its handler runs inside it, so the events it commits continue its trace.
import { readFileSync } from 'node:fs';
import { STATUS_CODES } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import rateLimit from '@fastify/rate-limit';
import type { ErrorObject } from 'ajv/dist/2020.js';
import type { Logger } from '../logger.ts';
import { contextOfHeaders, endSpan, inSpan, SpanKind, startSpan, traceIdsOf, type Span } from '../tracing.ts';
import { openApiAjv, type OpenApiDocument } from './openapi.ts';
import type { OperationConfig } from './operations.ts';
import { HttpProblem, PROBLEM_CONTENT_TYPE, RETRY_AFTER_SECONDS, dataErrorProblem, isDataError, isInfrastructureFailure, serviceUnavailable, tooManyRequests, type FieldError } from './problem.ts';
import { MAX_REPORTED_ERRORS, boundedValidator } from './validation.ts';

export const DEFAULT_BODY_LIMIT = 64 * 1024;

/** A file served as it is: read once at start from `path`, or given as `text`. */
export type ServedFile = { readonly contentType: string } & ({ readonly path: string } | { readonly text: string });

export interface HttpServerOptions {
  /** The OpenAPI document the routes are declared from; also served at `docsPrefix`. */
  readonly doc: OpenApiDocument;
  readonly log: Logger;
  /** Largest request body in bytes; a larger one is answered 413. */
  readonly bodyLimit?: number;
  /** Where Swagger UI is served. */
  readonly docsPrefix?: string;
  /** Files served as they are, by URL path, e.g. `/asyncapi.yaml`; not part of the documented API. */
  readonly files?: Readonly<Record<string, ServedFile>>;
  /** URL paths not worth a log line per request (probes). */
  readonly quietPaths?: readonly string[];
  /** Routes limited per client (every other route is not); a 429 problem+json beyond the limit. */
  readonly rateLimits?: readonly RouteRateLimit[];
  /**
   * The proxies (addresses/CIDRs) whose X-Forwarded-For names the client. Only real
   * proxies: otherwise any client picks its own address and escapes its rate limit.
   * Default: none, the connection's address is the client.
   */
  readonly trustProxy?: false | readonly string[];
}

/** At most `max` requests per client (IP address) to `method url` in each window of `windowMs`. */
export interface RouteRateLimit {
  readonly method: string;
  /** The route as declared, e.g. `/orders`. */
  readonly url: string;
  readonly max: number;
  readonly windowMs: number;
  /** What the client sends too many of, for the problem's title: `orders`. */
  readonly what: string;
}

/** A response body that breaks the contract: a bug on our side, answered 500. */
export class ContractViolation extends Error {
  override readonly name = 'ContractViolation';
}

/** A request part that breaks the contract: at most a few of its errors, and whether more were cut. */
class RequestValidationError extends Error {
  override readonly name = 'RequestValidationError';
  readonly validation: ErrorObject[];
  readonly truncated: boolean;

  constructor(errors: ErrorObject[], truncated: boolean) {
    super(`request validation failed: ${errors.map((e) => `${e.instancePath || '/'} ${e.message}`).join('; ')}${truncated ? '; ...' : ''}`);
    this.validation = errors;
    this.truncated = truncated;
  }
}

/** Each traced request's SERVER span (traceRequests), also for its log line, which may be written outside it. */
const requestSpans = new WeakMap<FastifyRequest, Span>();

/**
 * One log line per request, when it is answered (fastify's default also logs its arrival),
 * in the request's trace: also for a request refused before its handler ran (a 400, a
 * 413, a 429), whose line is written outside the span.
 */
class OneLinePerRequest extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (this.isLogDisabled(request)) return;
    const line = { method: request.method, url: request.url, statusCode: reply.statusCode, responseTime: reply.elapsedTime, ...traceIdsOf(requestSpans.get(request)) };
    if (error) request.log.error({ ...line, err: error }, error.message);
    else request.log.info(line, 'request completed');
  }
}

/** A fastify instance wired to the contract; add its routes with `serveOperations(app, doc, handlers)` (operations.ts). */
export async function createHttpServer(options: HttpServerOptions): Promise<FastifyInstance> {
  const bodyLimit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const quiet = new Set(options.quietPaths ?? []);
  const app = Fastify({
    // pino's Logger is a FastifyBaseLogger; only the generic parameters differ
    loggerInstance: options.log as FastifyBaseLogger,
    logController: new OneLinePerRequest({ disableRequestLogging: (req) => quiet.has(req.url) }),
    bodyLimit,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    trustProxy: options.trustProxy ? [...options.trustProxy] : false,
  });
  await limitRates(app, options.rateLimits ?? []);
  traceRequests(app, quiet);

  // fastify's own ajv removes unknown properties and coerces types; the contract
  // wants them rejected, so requests and responses are checked with the contract ajv.
  // Requests are untrusted: the first error stops validation, and only a small body is
  // validated again to list every invalid field (at most a few, see validation.ts).
  const strict = { removeAdditional: false, coerceTypes: false, useDefaults: false } as const;
  const ajv = openApiAjv(options.doc, strict);
  const ajvAllErrors = openApiAjv(options.doc, { ...strict, allErrors: true });
  app.setValidatorCompiler(({ schema }) => {
    const validate = boundedValidator(ajv.compile(schema as object), ajvAllErrors.compile(schema as object));
    return (data: unknown) => {
      const result = validate(data);
      return result.valid ? true : { error: new RequestValidationError(result.errors, result.truncated) };
    };
  });
  app.setSerializerCompiler(({ schema, method, url, httpStatus, contentType }) => {
    const validate = ajv.compile(schema as object);
    const where = `${method} ${url} ${httpStatus} ${contentType ?? ''}`.trim();
    return (data: unknown) => {
      if (!validate(data)) throw new ContractViolation(`response of ${where} breaks openapi.yaml: ${ajv.errorsText(validate.errors)}`);
      return JSON.stringify(data);
    };
  });

  // JSON only: any other media type is answered 415 instead of reaching validation as text.
  app.removeAllContentTypeParsers();
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit }, (request, body, done) => {
    parseJson(request, body as string, (err, value) => {
      if (err) (err as FastifyError & { parseError?: string }).parseError = jsonParseError(body as string);
      done(err, value);
    });
  });

  // while stopping, every answer tells the client not to reuse the connection
  app.addHook('onSend', async (_request, reply) => {
    if (closing.has(app)) reply.header('connection', 'close');
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const problem = toProblem(error, request, bodyLimit);
    if (problem.status >= 500) {
      if (problem.status === 503) request.log.warn({ err: error }, 'request failed: dependency unavailable');
      else request.log.error({ err: error }, 'request failed');
    } else if (!(error instanceof HttpProblem) && !error.validation && isDataError(error)) {
      // a 400 that the contract should have caught: worth a look, not an alarm
      request.log.warn({ err: error }, 'request refused by the database as bad data (SQLSTATE class 22) after passing validation');
    }
    return sendProblem(reply, request, problem);
  });
  app.setNotFoundHandler((request, reply) => sendProblem(reply, request, new HttpProblem({
    status: 404,
    kind: 'not-found',
    title: 'Not found',
    detail: `No resource at ${request.method} ${pathOf(request)}.`,
  })));

  await app.register(swagger, { mode: 'static', specification: { document: options.doc as never } });
  await app.register(swaggerUi, { routePrefix: options.docsPrefix ?? '/docs' });

  for (const [url, file] of Object.entries(options.files ?? {})) {
    const text = 'text' in file ? file.text : readFileSync(file.path, 'utf8');
    app.get(url, { schema: { hide: true } as never }, (_request, reply) => reply.type(file.contentType).send(text));
  }
  return app;
}

/** A span per request (but the quiet ones: probes, scrapes), around its handler. */
function traceRequests(app: FastifyInstance, quiet: ReadonlySet<string>): void {
  const spans = requestSpans;
  app.addHook('onRequest', (request, _reply, done) => {
    if (!quiet.has(request.url)) {
      const route = request.routeOptions.url ?? pathOf(request);
      spans.set(request, startSpan(`${request.method} ${route}`, SpanKind.SERVER, contextOfHeaders(request.headers), {
        'http.request.method': request.method,
        'http.route': route,
        'url.path': pathOf(request),
      }));
    }
    done();
  });
  app.addHook('onRoute', (route) => {
    const handler = route.handler;
    route.handler = function (this: FastifyInstance, request: FastifyRequest, reply: FastifyReply) {
      const span = spans.get(request);
      return inSpan(span, () => handler.call(this, request, reply));
    } as typeof handler;
  });
  app.addHook('onResponse', (request, reply, done) => {
    const span = spans.get(request);
    if (span) {
      span.setAttribute('http.response.status_code', reply.statusCode);
      endSpan(span, reply.statusCode >= 500 ? `HTTP ${reply.statusCode}` : undefined);
    }
    done();
  });
}

/**
 * Registers the per-client limits on their routes only (registered later, matched by
 * method and url), with RateLimit-* headers on every answer of a limited route and
 * Retry-After on its 429. Counters live in this process's memory: each replica limits alone.
 */
async function limitRates(app: FastifyInstance, limits: readonly RouteRateLimit[]): Promise<void> {
  if (limits.length === 0) return;
  // runs before the plugin's own onRoute hook, which reads config.rateLimit
  app.addHook('onRoute', (route) => {
    const methods = ([] as string[]).concat(route.method);
    const limit = limits.find((l) => l.url === route.url && methods.includes(l.method));
    if (!limit) return;
    route.config = {
      ...(route.config as object),
      rateLimit: {
        max: limit.max,
        timeWindow: limit.windowMs,
        errorResponseBuilder: (_request: FastifyRequest, context: { max: number; ttl: number }) =>
          tooManyRequests(limit.what, { max: context.max, windowMs: limit.windowMs, ttlMs: context.ttl }),
      },
    } as never;
  });
  await app.register(rateLimit, { global: false, enableDraftSpec: true });
}

/** Starts listening; returns the base URL a client on this machine can use. */
export async function listen(app: FastifyInstance, port: number, host = '0.0.0.0'): Promise<string> {
  await app.listen({ port, host });
  const address = app.server.address() as AddressInfo;
  return `http://127.0.0.1:${address.port}`;
}

/**
 * Stops accepting connections and lets in-flight requests finish; whatever is still
 * open at the deadline is cut.
 */
export async function closeBy(app: FastifyInstance, deadline: number): Promise<void> {
  closing.add(app);
  // a keep-alive connection whose request finishes after close() began would
  // otherwise stay open, idle, until the deadline
  const sweep = setInterval(() => app.server.closeIdleConnections(), 50);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      app.server.closeAllConnections();
      resolve();
    }, Math.max(0, deadline - Date.now()));
  });
  try {
    await Promise.race([app.close(), late]);
  } finally {
    clearInterval(sweep);
    clearTimeout(timer);
  }
}

const closing = new WeakSet<FastifyInstance>();

export function sendProblem(reply: FastifyReply, request: FastifyRequest, problem: HttpProblem): FastifyReply {
  return reply
    .status(problem.status)
    .headers(problem.headers)
    .type(PROBLEM_CONTENT_TYPE)
    .send(problem.toProblem(pathOf(request)));
}

function pathOf(request: FastifyRequest): string {
  const path = request.url.split('?')[0];
  return path === '' ? '/' : path;
}

function toProblem(error: FastifyError, request: FastifyRequest, bodyLimit: number): HttpProblem {
  if (error instanceof HttpProblem) return error;
  if (error.validation) return validationProblem(error, request);
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new HttpProblem({
        status: 400,
        kind: 'malformed-body',
        title: 'Malformed request body',
        detail: (error as FastifyError & { parseError?: string }).parseError ?? error.message,
        extensions: { errors: [{ field: '', message: 'body is not valid JSON' }] },
      });
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new HttpProblem({
        status: 413,
        kind: 'body-too-large',
        title: 'Request body too large',
        detail: `The request body exceeds the limit of ${bodyLimit} bytes.`,
      });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new HttpProblem({
        status: 415,
        kind: 'unsupported-media-type',
        title: 'Unsupported media type',
        detail: `Send the body as application/json (got ${request.headers['content-type'] ?? 'no content type'}).`,
      });
  }
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    return new HttpProblem({
      status,
      kind: status === 400 ? 'bad-request' : 'client-error',
      title: STATUS_CODES[status] ?? 'Bad request',
      detail: error.message,
      // every 400 of the contract is a ValidationProblem, which names at least one field
      ...(status === 400 ? { extensions: { errors: [{ field: '', message: error.message }] } } : {}),
    });
  }
  if (isInfrastructureFailure(error)) {
    return serviceUnavailable(`A dependency is unavailable; retry in ${RETRY_AFTER_SECONDS} seconds.`, error);
  }
  // data the database refused (SQLSTATE class 22) that validation let through: the
  // request's fault, and a retry would fail the same way
  if (isDataError(error)) return dataErrorProblem(error);
  return new HttpProblem({
    status: 500,
    kind: 'internal-error',
    title: 'Internal server error',
    detail: 'The request could not be completed because of an unexpected error.',
  });
}

const WHERE: Record<string, string> = { body: 'request body', params: 'path', headers: 'request headers', querystring: 'query string' };

function validationProblem(error: FastifyError, request: FastifyRequest): HttpProblem {
  const context = error.validationContext ?? 'body';
  const headerNames = (request.routeOptions.config as Partial<OperationConfig> | undefined)?.headerNames ?? {};
  const truncated = (error as FastifyError & { truncated?: boolean }).truncated === true
    || error.validation!.length > MAX_REPORTED_ERRORS;
  const errors = error.validation!.slice(0, MAX_REPORTED_ERRORS).map((e) => fieldError(e as ErrorObject, context, headerNames));
  const n = errors.length;
  const where = WHERE[context] ?? context;
  return new HttpProblem({
    status: 400,
    kind: 'validation-error',
    title: 'Request validation failed',
    detail: truncated
      ? `Found ${n} invalid field${n === 1 ? '' : 's'} in the ${where} and stopped looking; there may be more.`
      : `Found ${n} invalid field${n === 1 ? '' : 's'} in the ${where}.`,
    extensions: truncated ? { errors, truncated } : { errors },
  });
}

/** The JSON pointer of the offending value: for a missing or unknown property, the property itself. */
function fieldError(e: ErrorObject, context: string, headerNames: Readonly<Record<string, string>>): FieldError {
  let field = e.instancePath;
  const property = e.keyword === 'required' || e.keyword === 'dependentRequired'
    ? (e.params as { missingProperty?: string }).missingProperty
    : e.keyword === 'additionalProperties' || e.keyword === 'unevaluatedProperties'
      ? (e.params as { additionalProperty?: string; unevaluatedProperty?: string }).additionalProperty
        ?? (e.params as { unevaluatedProperty?: string }).unevaluatedProperty
      : undefined;
  if (property !== undefined) field += `/${property.replaceAll('~', '~0').replaceAll('/', '~1')}`;
  if (context === 'headers') {
    const [, name = '', ...rest] = field.split('/');
    field = ['', headerNames[name] ?? name, ...rest].join('/');
  }
  return { field, message: e.message ?? e.keyword };
}

function jsonParseError(body: string): string | undefined {
  if (body.length === 0) return 'The request body is empty.';
  try {
    JSON.parse(body);
    return 'The body has a forbidden __proto__ or constructor.prototype key.';
  } catch (err) {
    return `${(err as Error).message}.`.replace(/\.\.$/, '.');
  }
}
