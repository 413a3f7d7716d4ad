// Reads the parsed AsyncAPI document (and its raw text, for $ref-preserving schemas)
// into the small model every component renders from. Fails loudly on anything the
// runtime could not honour, so a broken contract never produces half-right code.
// modelOf builds it once per parsed document: every template file of a run shares it.
import YAML from 'yaml';
import { byName, pascal, camel } from './names.mjs';

/**
 * @typedef {{ name: string, type: string, durable: boolean }} Exchange
 * @typedef {{ name: string, title: string, summary: string, schemaName: string, channel: string,
 *   routingKey: string, exchange: Exchange, examples: { name: string, payload: unknown, headers: unknown }[] }} Message
 * @typedef {{ operationId: string, message: string, handler: string, summary: string }} Receive
 * @typedef {{ name: string, typeName: string, valueName: string, description: string, queue: string | null,
 *   receives: Receive[], sends: string[], everyServiceSends: string[] }} Service
 * @typedef {{ operationId: string, message: string, except: string[], summary: string }} EveryServiceSend
 * @typedef {{ raw: any, componentSchemas: Record<string, any>, defaults: any, messages: Message[],
 *   services: Service[], exchanges: Exchange[], everyServiceSends: EveryServiceSend[] }} Model
 */

/**
 * The model of one contract: messages (with channel, exchange, routing key, examples),
 * services (what each receives and sends, cross-cutting sends included) and exchanges,
 * each sorted by name so the output is deterministic.
 * @param {any} asyncapi the parsed document (@asyncapi/parser, API v3)
 * @param {string} originalAsyncAPI the document's text
 * @returns {Model}
 */
export function buildModel(asyncapi, originalAsyncAPI) {
  const raw = YAML.parse(originalAsyncAPI);
  const componentSchemas = raw.components.schemas;
  const defaults = asyncapi.extensions().get('x-queue-defaults')?.value();
  const serviceDecl = asyncapi.extensions().get('x-services')?.value();
  if (!defaults || !serviceDecl) throw new Error('asyncapi.yaml: x-queue-defaults and x-services are required at the root');

  const messages = asyncapi.allMessages().all().map((m) => messageOf(asyncapi, raw, m)).sort((a, b) => byName(a.name, b.name));
  const messageByName = new Map(messages.map((m) => [m.name, m]));

  const services = Object.keys(serviceDecl).sort(byName).map((name) => ({
    name,
    typeName: pascal(name),
    valueName: camel(name),
    description: serviceDecl[name].description || '',
    queue: serviceDecl[name].queue || null,
    receives: [],
    sends: [],
    everyServiceSends: [],
  }));
  const serviceByName = new Map(services.map((s) => [s.name, s]));
  const everyServiceSends = [];

  for (const op of asyncapi.operations().all()) {
    const opMessages = op.messages().all();
    if (opMessages.length !== 1) throw new Error(`operation ${op.id()}: exactly one message expected`);
    const message = messageByName.get(opMessages[0].name());
    const every = op.extensions().get('x-every-service')?.value();
    const serviceName = op.extensions().get('x-service')?.value();
    if (every !== undefined) {
      if (serviceName !== undefined) throw new Error(`operation ${op.id()}: x-service and x-every-service exclude each other`);
      if (op.action() !== 'send') throw new Error(`operation ${op.id()}: x-every-service applies to send operations only`);
      const except = [...(every?.except ?? [])].sort(byName);
      for (const name of except) if (!serviceByName.has(name)) throw new Error(`operation ${op.id()}: x-every-service.except names '${name}', not declared in x-services`);
      everyServiceSends.push({ operationId: op.id(), message: message.name, except, summary: op.summary() || '' });
      for (const s of services) if (!except.includes(s.name)) addSend(s, message.name, op.id(), true);
      continue;
    }
    const service = serviceByName.get(serviceName);
    if (!service) throw new Error(`operation ${op.id()}: x-service '${serviceName}' is not declared in x-services (or mark it x-every-service)`);
    if (op.action() === 'receive') {
      if (!service.queue) throw new Error(`operation ${op.id()}: service ${serviceName} receives but declares no queue`);
      if (service.receives.some((r) => r.message === message.name)) throw new Error(`service ${serviceName} receives ${message.name} twice`);
      service.receives.push({ operationId: op.id(), message: message.name, handler: `on${message.name}`, summary: op.summary() || '' });
    } else {
      addSend(service, message.name, op.id(), false);
    }
  }
  for (const s of services) {
    s.receives.sort((a, b) => byName(a.message, b.message));
    s.sends.sort(byName);
    s.everyServiceSends.sort(byName);
  }
  everyServiceSends.sort((a, b) => byName(a.operationId, b.operationId));

  const exchanges = [...new Map(messages.map((m) => [m.exchange.name, m.exchange])).values()].sort((a, b) => byName(a.name, b.name));
  return { raw, componentSchemas, defaults, messages, services, exchanges, everyServiceSends };
}

function addSend(service, message, operationId, everyService) {
  if (service.sends.includes(message)) throw new Error(`service ${service.name} sends ${message} twice (operation ${operationId})`);
  service.sends.push(message);
  if (everyService) service.everyServiceSends.push(message);
}

function messageOf(asyncapi, raw, m) {
  const name = m.name();
  const rawMessage = raw.components.messages[name];
  if (!rawMessage) throw new Error(`message ${name} must be declared under components.messages with the same key`);
  const ref = rawMessage.payload && rawMessage.payload.$ref;
  if (!ref || !ref.startsWith('#/components/schemas/')) throw new Error(`message ${name}: payload must $ref a component schema`);
  const channels = asyncapi.channels().all().filter((c) => c.messages().all().some((cm) => cm.name() === name));
  if (channels.length !== 1) throw new Error(`message ${name} must travel on exactly one channel (found ${channels.length})`);
  const channel = channels[0];
  const binding = channel.bindings().get('amqp')?.value();
  if (!binding || binding.is !== 'routingKey' || !binding.exchange?.name) {
    throw new Error(`channel ${channel.id()}: needs an amqp binding with is: routingKey and an exchange`);
  }
  const messageType = m.bindings().get('amqp')?.value()?.messageType;
  if (messageType !== name) throw new Error(`message ${name}: amqp binding messageType must equal the message name`);
  return {
    name,
    title: m.title() || name,
    summary: m.summary() || '',
    schemaName: ref.slice('#/components/schemas/'.length),
    channel: channel.id(),
    routingKey: channel.address(),
    exchange: { name: binding.exchange.name, type: binding.exchange.type, durable: binding.exchange.durable !== false },
    examples: m.examples().all().map((e) => ({ name: e.name(), payload: e.payload(), headers: e.headers() })),
  };
}

const built = new WeakMap();

/**
 * The model of this run's document, built on first use and shared by every template
 * file after it (the generator hands each file the same parsed document; lib/ is loaded
 * at run time through the `#lib/*` import map, so every file sees this one cache).
 * @param {any} asyncapi
 * @param {string} originalAsyncAPI
 * @returns {Model}
 */
export function modelOf(asyncapi, originalAsyncAPI) {
  let model = built.get(asyncapi);
  if (!model) {
    model = buildModel(asyncapi, originalAsyncAPI);
    built.set(asyncapi, model);
    modelOf.builds += 1;
  }
  return model;
}
/** How many models were built in this process (tests check it is one per run). */
modelOf.builds = 0;
