// Per service: the handler interface (one method per received message, returning
// only the events the service may send), typed event constructors for its sends,
// and the starter file (skeleton) of each handler.
import { camel } from './model.js';

function renderService(model, s) {
  const imported = [...new Set([...s.receives.map((r) => r.message), ...s.sends])].sort();
  const out = [model.header, ''];
  out.push(`/** ${s.name}: ${s.description} */`);
  if (imported.length) out.push(`import type { ${['OutgoingEvent', ...imported].join(', ')} } from '../types.ts';`);
  if (s.receives.length) out.push("import type { HandlerContext } from '../../runtime/handler-context.ts';");
  out.push('');
  out.push(`export const serviceName = ${JSON.stringify(s.name)};`, '');
  if (s.sends.length) {
    out.push(`/** The only events ${s.name} may send. */`);
    out.push(`export type ${s.typeName}Event = OutgoingEvent<${s.sends.map((n) => JSON.stringify(n)).join(' | ')}>;`, '');
    for (const n of s.sends) {
      out.push(`/** Builds a ${n} to return from a handler (or to write to the outbox). */`);
      out.push(`export function ${camel(n)}(payload: ${n}): OutgoingEvent<${JSON.stringify(n)}> {`);
      out.push(`  return { type: ${JSON.stringify(n)}, payload };`);
      out.push('}', '');
    }
  }
  if (s.receives.length) {
    const ret = s.sends.length ? `${s.typeName}Event` : 'never';
    out.push(`/** What ${s.name} must implement: one handler per message it receives. */`);
    out.push(`export interface ${s.typeName}Handlers {`);
    for (const r of s.receives) {
      out.push(`  /** ${r.operationId}${r.summary ? `: ${r.summary}` : ''} */`);
      out.push(`  ${r.handler}(message: ${r.message}, ctx: HandlerContext): Promise<readonly ${ret}[]>;`);
    }
    out.push('}', '');
  }
  return out.join('\n');
}

function renderSkeleton(model, s, r) {
  return [
    model.header,
    `// Starter for handlers/${s.name}/${r.handler}.ts: copy it there and write the business rule.`,
    `// ${r.operationId}${r.summary ? `: ${r.summary}` : ''}`,
    `import type { ${s.typeName}Handlers } from '../../generated/services/${s.name}.ts';`,
    '',
    `export const ${r.handler}: ${s.typeName}Handlers['${r.handler}'] = async (message, ctx) => {`,
    `  throw new Error(\`${s.name}: ${r.handler} is not written yet (order \${message.orderId}, message \${ctx.messageId})\`);`,
    '};',
    '',
  ].join('\n');
}

export function renderServices(model) {
  return model.services.map((s) => ({ name: `${s.name}.ts`, content: renderService(model, s) }));
}

export function renderSkeletons(model) {
  const files = [];
  for (const s of model.services) {
    for (const r of s.receives) files.push({ name: `${s.name}.${r.handler}.ts`, content: renderSkeleton(model, s, r) });
  }
  return files;
}

