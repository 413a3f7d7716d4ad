// Contract checks for openapi.yaml: valid OpenAPI 3.1, every example matches its schema,
// and the schemas really reject what they must.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Validator } from '@seriousme/openapi-schema-validator';
import type { ErrorObject } from 'ajv/dist/2020.js';
import {
  type JsonSchema,
  type OpenApiDocument,
  deref,
  loadOpenApi,
  openApiAjv,
  resolvePointer,
  rewriteRefs,
  validatorFor,
} from '../runtime/http/openapi.ts';
import { renderHttp } from '../tools/generate-http.ts';

type Obj = Record<string, unknown>;
interface ExampleCase { where: string; schema: JsonSchema; value: unknown }

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

const doc = loadOpenApi();
const ajv = openApiAjv(doc);

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function operations(d: OpenApiDocument): Array<{ where: string; op: Obj }> {
  const ops: Array<{ where: string; op: Obj }> = [];
  for (const [path, item] of Object.entries(d.paths)) {
    for (const method of HTTP_METHODS) {
      const op = item[method];
      if (isObj(op)) ops.push({ where: `${method.toUpperCase()} ${path}`, op });
    }
  }
  return ops;
}

/** Schema-level `example` / `examples`, in the schema and every subschema. */
function schemaExamples(schema: unknown, where: string, out: ExampleCase[]): void {
  if (!isObj(schema)) return;
  if ('example' in schema) out.push({ where: `${where}.example`, schema: schema as JsonSchema, value: schema.example });
  if (Array.isArray(schema.examples)) {
    schema.examples.forEach((value, i) => out.push({ where: `${where}.examples[${i}]`, schema: schema as JsonSchema, value }));
  }
  for (const key of ['properties', 'patternProperties', '$defs']) {
    const map = schema[key];
    if (isObj(map)) for (const [name, sub] of Object.entries(map)) schemaExamples(sub, `${where}.${key}.${name}`, out);
  }
  for (const key of ['items', 'additionalProperties', 'not', 'contains', 'if', 'then', 'else']) {
    schemaExamples(schema[key], `${where}.${key}`, out);
  }
  for (const key of ['allOf', 'anyOf', 'oneOf', 'prefixItems']) {
    const list = schema[key];
    if (Array.isArray(list)) list.forEach((sub, i) => schemaExamples(sub, `${where}.${key}[${i}]`, out));
  }
}

/** `example` / `examples` (Example Objects) next to a `schema`: parameter, header or media type. */
function carrierExamples(d: OpenApiDocument, carrier: Obj, where: string, out: ExampleCase[]): void {
  const schema = carrier.schema as JsonSchema | undefined;
  if (schema === undefined) return;
  schemaExamples(schema, `${where}.schema`, out);
  if ('example' in carrier) out.push({ where: `${where}.example`, schema, value: carrier.example });
  if (isObj(carrier.examples)) {
    for (const [name, ex] of Object.entries(carrier.examples)) {
      const example = deref<Obj>(d, ex);
      if ('value' in example) out.push({ where: `${where}.examples.${name}`, schema, value: example.value });
    }
  }
}

function contentExamples(d: OpenApiDocument, content: unknown, where: string, out: ExampleCase[]): void {
  if (!isObj(content)) return;
  for (const [mediaType, media] of Object.entries(content)) {
    if (isObj(media)) carrierExamples(d, media, `${where}.content[${mediaType}]`, out);
  }
}

function responseExamples(d: OpenApiDocument, ref: unknown, where: string, out: ExampleCase[]): void {
  const response = deref<Obj>(d, ref);
  if (isObj(response.headers)) {
    for (const [name, header] of Object.entries(response.headers)) {
      carrierExamples(d, deref<Obj>(d, header), `${where}.headers.${name}`, out);
    }
  }
  contentExamples(d, response.content, where, out);
}

/** Every example in the document, each with the schema it must satisfy. */
function collectExamples(d: OpenApiDocument): ExampleCase[] {
  const out: ExampleCase[] = [];
  for (const [name, schema] of Object.entries(d.components.schemas)) schemaExamples(schema, `components.schemas.${name}`, out);
  for (const [name, p] of Object.entries(d.components.parameters ?? {})) carrierExamples(d, deref<Obj>(d, p), `components.parameters.${name}`, out);
  for (const [name, h] of Object.entries(d.components.headers ?? {})) carrierExamples(d, deref<Obj>(d, h), `components.headers.${name}`, out);
  for (const [name, r] of Object.entries(d.components.responses ?? {})) responseExamples(d, r, `components.responses.${name}`, out);
  for (const [name, b] of Object.entries(d.components.requestBodies ?? {})) contentExamples(d, deref<Obj>(d, b).content, `components.requestBodies.${name}`, out);
  for (const [path, item] of Object.entries(d.paths)) {
    const shared = Array.isArray(item.parameters) ? item.parameters : [];
    for (const [i, p] of shared.entries()) carrierExamples(d, deref<Obj>(d, p), `${path}.parameters[${i}]`, out);
  }
  for (const { where, op } of operations(d)) {
    const params = Array.isArray(op.parameters) ? op.parameters : [];
    for (const [i, p] of params.entries()) carrierExamples(d, deref<Obj>(d, p), `${where}.parameters[${i}]`, out);
    if (op.requestBody !== undefined) contentExamples(d, deref<Obj>(d, op.requestBody).content, `${where}.requestBody`, out);
    for (const [status, r] of Object.entries(isObj(op.responses) ? op.responses : {})) {
      responseExamples(d, r, `${where}.responses.${status}`, out);
    }
  }
  return out;
}

/** Validates each example against its schema with the strict contract ajv; returns the failures. */
function invalidExamples(d: OpenApiDocument): string[] {
  const checker = openApiAjv(d);
  const failures: string[] = [];
  for (const { where, schema, value } of collectExamples(d)) {
    const validate = checker.compile(rewriteRefs(schema));
    if (!validate(value)) failures.push(`${where}: ${checker.errorsText(validate.errors)}`);
  }
  return failures;
}

const errorsAt = (errors: ErrorObject[] | null | undefined) =>
  (errors ?? []).map((e) => `${e.instancePath} ${e.keyword}`);

const validOrder = () => ({
  customerId: '3c9a1f2e-7b4d-4e8a-9f61-2a5b7c8d9e10',
  email: 'jane.doe@example.com',
  items: [{ productId: 'A1215', quantity: 1 }, { productId: 'A1216', quantity: 2 }] as Obj[],
} as Obj);

// ---------------------------------------------------------------------------------------

test('openapi.yaml is valid OpenAPI 3.1 (official schema)', async () => {
  assert.is(doc.openapi, '3.1.0');
  const validator = new Validator();
  const result = await validator.validate(structuredClone(doc) as Obj);
  assert.is(validator.version, '3.1');
  assert.ok(result.valid, `not valid OpenAPI 3.1: ${JSON.stringify(result.errors, null, 2)}`);
});

test('the OpenAPI validator rejects a broken document', async () => {
  const broken = structuredClone(doc) as Obj;
  delete (broken.info as Obj).title;
  ((broken.paths as Obj)['/health'] as Obj).get = { responses: { '200': { content: {} } } }; // response without description
  const result = await new Validator().validate(broken);
  assert.not.ok(result.valid);
});

test('every $ref in the document resolves', () => {
  const refs: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (isObj(node)) for (const [k, v] of Object.entries(node)) (k === '$ref' && typeof v === 'string' ? refs.push(v) : walk(v));
  };
  walk(doc);
  assert.ok(refs.length > 20, `only ${refs.length} $refs found`);
  for (const ref of refs) resolvePointer(doc, ref); // throws on a dangling ref
  assert.throws(() => resolvePointer(doc, '#/components/schemas/NoSuchSchema'), /unresolvable/);
});

test('operationIds and component schemas are the agreed ones', () => {
  const ids = operations(doc).map(({ op }) => op.operationId).sort();
  assert.equal(ids, ['createOrder', 'getOrder', 'health', 'listProducts', 'ready']);
  for (const name of ['CreateOrderRequest', 'OrderLineRequest', 'OrderAccepted', 'Order', 'OrderLine', 'TimelineEntry',
    'Money', 'Product', 'ProductList', 'Problem', 'ValidationProblem', 'Health', 'Readiness']) {
    assert.ok(doc.components.schemas[name], `missing component schema ${name}`);
  }
});

test('every component schema compiles under strict ajv 2020', () => {
  for (const name of Object.keys(doc.components.schemas)) {
    assert.type(validatorFor(ajv, name), 'function', name);
  }
});

test('the contract ajv is strict: an unknown keyword in a component schema is an error', () => {
  const typo = structuredClone(doc);
  (typo.components.schemas.Money as Obj).minimun = 0;
  assert.throws(() => validatorFor(openApiAjv(typo), 'Money'), /unknown keyword: "minimun"/);
});

test('every request and response body has an example, errors are problem+json', () => {
  const missing: string[] = [];
  for (const { where, op } of operations(doc)) {
    const bodies: Array<[string, unknown]> = [];
    if (op.requestBody !== undefined) bodies.push([`${where} request`, deref<Obj>(doc, op.requestBody).content]);
    for (const [status, r] of Object.entries(op.responses as Obj)) {
      const content = deref<Obj>(doc, r).content;
      bodies.push([`${where} ${status}`, content]);
      if (Number(status) >= 400) assert.equal(Object.keys(content as Obj), ['application/problem+json'], `${where} ${status}`);
    }
    for (const [label, content] of bodies) {
      assert.ok(isObj(content), `${label} has no content`);
      for (const [mediaType, media] of Object.entries(content)) {
        const m = media as Obj;
        if (!('example' in m) && !isObj(m.examples)) missing.push(`${label} ${mediaType}`);
      }
    }
  }
  assert.equal(missing, []);
});

test('every example in the document validates against its schema', () => {
  const cases = collectExamples(doc);
  assert.ok(cases.length >= 30, `only ${cases.length} examples found`);
  assert.ok(cases.some((c) => c.where.includes('.parameters[')), 'no parameter example checked');
  assert.ok(cases.some((c) => c.where.includes('.headers.Location')), 'no header example checked');
  assert.ok(cases.some((c) => c.where.startsWith('components.schemas.')), 'no schema-level example checked');
  assert.equal(invalidExamples(doc), []);
});

test('the example check catches a wrong example', () => {
  const broken = structuredClone(doc);
  const post = broken.paths['/orders'].post as Obj;
  const media = ((post.requestBody as Obj).content as Obj)['application/json'] as Obj;
  ((media.examples as Obj).twoLines as Obj).value = { ...validOrder(), items: [{ productId: 'A1215', quantity: 0 }] };
  (broken.components.schemas.Money as Obj).examples = [{ amount: -1, currency: 'EUR' }];
  (broken.components.parameters!.OrderId as Obj).example = 'not-a-uuid';
  const failures = invalidExamples(broken);
  // the OrderId parameter is reported twice: as a component and where GET /orders/{orderId} uses it
  assert.is(failures.length, 4, failures.join('\n'));
  assert.match(failures.join('\n'), /POST \/orders\.requestBody\.content\[application\/json\]\.examples\.twoLines: data\/items\/0\/quantity must be >= 1/);
  assert.match(failures.join('\n'), /components\.schemas\.Money\.examples\[0\]: data\/amount must be >= 0/);
  assert.match(failures.join('\n'), /components\.parameters\.OrderId\.example: data must match format "uuid"/);
  assert.match(failures.join('\n'), /GET \/orders\/\{orderId\}\.parameters\[0\]\.example: data must match format "uuid"/);
});

test('CreateOrderRequest accepts a valid order', () => {
  const validate = validatorFor(ajv, 'CreateOrderRequest');
  assert.ok(validate(validOrder()), JSON.stringify(validate.errors));
  const fifty = { ...validOrder(), items: Array.from({ length: 50 }, () => ({ productId: 'A1215', quantity: 1000 })) };
  assert.ok(validate(fifty), JSON.stringify(validate.errors));
});

test('CreateOrderRequest rejects invalid orders, pointing at the field', () => {
  const validate = validatorFor(ajv, 'CreateOrderRequest');
  const rejects = (body: Obj, expected: string[]) => {
    assert.not.ok(validate(body), `accepted ${JSON.stringify(body)}`);
    assert.equal(errorsAt(validate.errors), expected);
  };
  rejects({ ...validOrder(), items: [] }, ['/items minItems']);
  rejects({ ...validOrder(), items: Array.from({ length: 51 }, () => ({ productId: 'A1215', quantity: 1 })) }, ['/items maxItems']);
  rejects({ ...validOrder(), coupon: 'FREE' }, [' additionalProperties']);
  assert.is(validate.errors?.[0].params.additionalProperty, 'coupon');
  rejects({ ...validOrder(), items: [{ productId: 'A1215', quantity: 1, discount: 5 }] }, ['/items/0 additionalProperties']);
  rejects({ ...validOrder(), items: [{ productId: 'A1215', quantity: 0 }] }, ['/items/0/quantity minimum']);
  rejects({ ...validOrder(), items: [{ productId: 'A1215', quantity: 1001 }] }, ['/items/0/quantity maximum']);
  rejects({ ...validOrder(), items: [{ productId: 'A1215', quantity: 1.5 }] }, ['/items/0/quantity type']);
  rejects({ ...validOrder(), items: [{ productId: 'A1215', quantity: 1 }, { productId: 'a1215', quantity: 1 }] }, ['/items/1/productId pattern']);
  rejects({ ...validOrder(), email: 'not-an-email' }, ['/email format']);
  rejects({ ...validOrder(), customerId: '12345' }, ['/customerId format']);
  const { items: _dropped, ...noItems } = validOrder();
  rejects(noItems, [' required']);
});

test('uuid is the plain 8-4-4-4-12 form PostgreSQL reads; no urn:uuid: prefix', () => {
  const validate = validatorFor(ajv, 'CreateOrderRequest');
  assert.ok(validate({ ...validOrder(), customerId: '3C9A1F2E-7B4D-4E8A-9F61-2A5B7C8D9E10' }), JSON.stringify(validate.errors));
  assert.not.ok(validate({ ...validOrder(), customerId: 'urn:uuid:3c9a1f2e-7b4d-4e8a-9f61-2a5b7c8d9e10' }));
  assert.equal(errorsAt(validate.errors), ['/customerId maxLength']);
  assert.not.ok(validate({ ...validOrder(), customerId: '{3c9a1f2e-7b4d-4e8a-9f61-2a5b7c8d9e10}' }));
  assert.not.ok(validate({ ...validOrder(), customerId: '3c9a1f2e7b4d4e8a9f612a5b7c8d9e10' }));
});

test('request strings and arrays are bounded, and a ValidationProblem lists at most 10 errors', () => {
  const request = rewriteRefs(doc.components.schemas.CreateOrderRequest) as Obj;
  for (const [name, property] of Object.entries(request.properties as Obj)) {
    const schema = (property as Obj).$ref ? doc.components.schemas[String((property as Obj).$ref).split('/').pop()!] as Obj : property as Obj;
    if (schema.type === 'string') assert.type(schema.maxLength, 'number', `${name} has a maxLength`);
    if (schema.type === 'array') assert.type(schema.maxItems, 'number', `${name} has a maxItems`);
  }
  assert.type((doc.components.schemas.ProductId as Obj).maxLength, 'number');
  const validate = validatorFor(ajv, 'ValidationProblem');
  const errors = Array.from({ length: 11 }, (_, i) => ({ field: `/items/${i}`, message: 'x' }));
  assert.not.ok(validate({ type: 'about:blank', title: 'Bad', status: 400, errors }));
  assert.ok(validate({ type: 'about:blank', title: 'Bad', status: 400, errors: errors.slice(0, 10), truncated: true }));
});

test('response schemas reject what the contract forbids', () => {
  const invoiced = ((((doc.paths['/orders/{orderId}'].get as Obj).responses as Obj)['200'] as Obj).content as Obj)['application/json'] as Obj;
  const order = structuredClone(((invoiced.examples as Obj).invoiced as Obj).value) as Obj;
  const validateOrder = validatorFor(ajv, 'Order');
  assert.ok(validateOrder(order), JSON.stringify(validateOrder.errors));
  assert.not.ok(validateOrder({ ...order, status: 'SHIPPED' }));
  assert.equal(errorsAt(validateOrder.errors), ['/status enum']);
  assert.not.ok(validateOrder({ ...order, total: { amount: 100, currency: 'eur' } }));
  assert.ok(errorsAt(validateOrder.errors).includes('/total/currency pattern'), JSON.stringify(validateOrder.errors));
  assert.ok(validateOrder({ ...order, total: null, invoiceId: null, invoiceNumber: null }));

  const validateMoney = validatorFor(ajv, 'Money');
  assert.not.ok(validateMoney({ amount: 10.5, currency: 'EUR' }));
  assert.equal(errorsAt(validateMoney.errors), ['/amount type']);

  const validateReadiness = validatorFor(ajv, 'Readiness');
  assert.not.ok(validateReadiness({ status: 'ready', checks: { broker: 'down', database: 'up' } }));
  assert.equal(errorsAt(validateReadiness.errors), ['/checks/broker const']);

  const validateProblem = validatorFor(ajv, 'ValidationProblem');
  assert.not.ok(validateProblem({ type: 'about:blank', title: 'Bad', status: 400, errors: [{ field: 'items.0', message: 'x' }] }));
  assert.equal(errorsAt(validateProblem.errors), ['/errors/0/field format']);
});

/** A small document whose one operation takes and answers the schema `Thing`. */
function docWith(thing: Obj): OpenApiDocument {
  return {
    openapi: '3.1.0',
    info: { title: 't', version: '1' },
    paths: {
      '/things/{thingId}': {
        put: {
          operationId: 'putThing',
          parameters: [
            { name: 'thingId', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } },
            { name: 'If-Match', in: 'header', schema: { type: 'string' } },
          ],
          requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/Thing' } } } },
          responses: {
            '201': { description: 'made', headers: { Location: { required: true, schema: { type: 'string' } } },
              content: { 'application/json': { schema: { $ref: '#/components/schemas/Thing' } } } },
          },
        },
      },
    },
    components: { schemas: { Thing: thing, Colour: { type: 'string', enum: ['red', 'green'] } } },
  };
}

test('the generated HTTP types are exact: required vs optional, enums, consts, nullable, formats as string', () => {
  const { 'types.ts': types, 'operations.ts': ops } = renderHttp(docWith({
    type: 'object',
    additionalProperties: false,
    required: ['id', 'colour', 'kind', 'note'],
    properties: {
      id: { type: 'string', format: 'uuid' },
      colour: { $ref: '#/components/schemas/Colour' },
      kind: { type: 'string', const: 'thing' },
      note: { type: ['string', 'null'] },
      price: { oneOf: [{ type: 'integer' }, { type: 'null' }] },
      tags: { type: 'array', items: { type: 'string' } },
    },
  }));
  assert.match(types, /^\/\/ Generated from openapi\.yaml .* Do not edit\./);
  assert.match(types, 'export type Colour = "red" | "green";');
  for (const line of ['readonly id: string;', 'readonly colour: Colour;', 'readonly kind: "thing";', 'readonly note: string | null;',
    'readonly price?: number | null;', 'readonly tags?: string[];']) {
    assert.match(types, line);
  }
  assert.not.match(types, '[extra: string]', 'additionalProperties: false admits no other property');
  assert.match(ops, 'readonly thingId: string;');
  assert.match(ops, 'readonly "if-match"?: string;');
  assert.match(ops, 'body: Thing;');
  assert.match(ops, /201: \{\n\s+body: Thing;\n\s+headers: \{\n\s+(?:\/\*\*.*\*\/\n\s+)?readonly location: string;/);
});

test('a schema keyword the HTTP type mapper cannot express exactly stops the generation', () => {
  const mixed = docWith({ allOf: [{ type: 'object' }, { required: ['id'] }] });
  assert.throws(() => renderHttp(mixed), /components\.schemas\.Thing: keyword allOf is not supported/);
});

test.run();
