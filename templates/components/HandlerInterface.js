// What a receiving service must implement: one method per message it receives, each
// returning only the events the service may send.
import { lines, oneLine } from '#lib/names.mjs';

/**
 * @param {{ service: import('#lib/model.mjs').Service }} props
 */
export function HandlerInterface({ service: s }) {
  const ret = s.sends.length ? `${s.typeName}Event` : 'never';
  return lines([
    `/** What ${s.name} must implement: one handler per message it receives. */`,
    `export interface ${s.typeName}Handlers {`,
    ...s.receives.flatMap((r) => [
      `  /** ${r.operationId}${r.summary ? `: ${oneLine(r.summary)}` : ''} */`,
      `  ${r.handler}(message: ${r.message}, ctx: HandlerContext): Promise<readonly ${ret}[]>;`,
    ]),
    '}',
  ]);
}
