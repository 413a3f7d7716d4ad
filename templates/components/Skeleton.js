// The starter file of one handler: copied to handlers/<service>/on<Message>.ts, it
// compiles and fails loudly until the business rule is written.
import { HEADER, lines, oneLine } from '#lib/names.mjs';

/**
 * @param {{ service: import('#lib/model.mjs').Service, receive: import('#lib/model.mjs').Receive }} props
 */
export function Skeleton({ service: s, receive: r }) {
  return lines([
    HEADER,
    `// Starter for handlers/${s.name}/${r.handler}.ts: copy it there and write the business rule.`,
    `// ${r.operationId}${r.summary ? `: ${oneLine(r.summary)}` : ''}`,
    `import type { ${s.typeName}Handlers } from '../../generated/services/${s.name}.ts';`,
    '',
    `export const ${r.handler}: ${s.typeName}Handlers['${r.handler}'] = async (message, ctx) => {`,
    `  throw new Error(\`${s.name}: ${r.handler} is not written yet (order \${ctx.correlationId}, message \${ctx.messageId})\`);`,
    '};',
  ]);
}
