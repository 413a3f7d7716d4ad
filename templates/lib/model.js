// Reads the parsed AsyncAPI document (and its raw text, for $ref-preserving schemas)
// into the small model every renderer works from. Fails loudly on anything the
// runtime could not honour, so a broken contract never produces half-right code.
import YAML from 'yaml';

export const HEADER = '// Generated from asyncapi.yaml by templates/ (npm run generate). Do not edit.';

export function pascal(name) {
  return name.replace(/(^|[-_.\s])(\w)/g, (_, __, c) => c.toUpperCase());
}
export function camel(name) {
  const p = pascal(name);
  return p[0].toLowerCase() + p.slice(1);
}
function byName(a, b) {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function buildModel(asyncapi, originalAsyncAPI) {
  const raw = YAML.parse(originalAsyncAPI);
  const componentSchemas = raw.components.schemas;
  const defaults = asyncapi.extensions().get('x-queue-defaults')?.value();
  const serviceDecl = asyncapi.extensions().get('x-services')?.value();
  if (!defaults || !serviceDecl) throw new Error('asyncapi.yaml: x-queue-defaults and x-services are required at the root');

  const messages = asyncapi.allMessages().all().map((m) => {
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
  }).sort((a, b) => byName(a.name, b.name));
  const messageByName = new Map(messages.map((m) => [m.name, m]));

  const services = Object.keys(serviceDecl).sort(byName).map((name) => ({
    name,
    typeName: pascal(name),
    description: serviceDecl[name].description || '',
    queue: serviceDecl[name].queue || null,
    receives: [],
    sends: [],
  }));
  const serviceByName = new Map(services.map((s) => [s.name, s]));

  for (const op of asyncapi.operations().all()) {
    const serviceName = op.extensions().get('x-service')?.value();
    const service = serviceByName.get(serviceName);
    if (!service) throw new Error(`operation ${op.id()}: x-service '${serviceName}' is not declared in x-services`);
    const opMessages = op.messages().all();
    if (opMessages.length !== 1) throw new Error(`operation ${op.id()}: exactly one message expected`);
    const message = messageByName.get(opMessages[0].name());
    if (op.action() === 'receive') {
      if (!service.queue) throw new Error(`operation ${op.id()}: service ${serviceName} receives but declares no queue`);
      if (service.receives.some((r) => r.message === message.name)) throw new Error(`service ${serviceName} receives ${message.name} twice`);
      service.receives.push({ operationId: op.id(), message: message.name, handler: `on${message.name}`, summary: op.summary() || '' });
    } else {
      if (service.sends.includes(message.name)) throw new Error(`service ${serviceName} sends ${message.name} twice`);
      service.sends.push(message.name);
    }
  }
  for (const s of services) {
    s.receives.sort((a, b) => byName(a.message, b.message));
    s.sends.sort(byName);
  }

  const exchanges = [...new Map(messages.map((m) => [m.exchange.name, m.exchange])).values()].sort((a, b) => byName(a.name, b.name));
  return { header: HEADER, raw, componentSchemas, defaults, messages, services, exchanges };
}

