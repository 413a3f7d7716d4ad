// generated/services/<service>.ts: the service's name, the events it may send and their
// constructors, its handler interface and its definition helper.
import { Text } from '@asyncapi/generator-react-sdk';
import { HEADER, lines, literal, oneLine } from '#lib/names.mjs';
import { EventConstructor } from './EventConstructor.js';
import { HandlerInterface } from './HandlerInterface.js';
import { ServiceDefinition } from './ServiceDefinition.js';

/**
 * @param {{ service: import('#lib/model.mjs').Service }} props
 */
export function ServiceContract({ service: s }) {
  const payloads = [...new Set([...s.receives.map((r) => r.message), ...s.sends])].sort();
  const everyService = s.everyServiceSends.length ? ` (${s.everyServiceSends.join(', ')}: sent by every service, x-every-service)` : '';
  return (
    <>
      <Text>{HEADER}</Text>
      <Text>{lines([
        '',
        `/** ${s.name}: ${oneLine(s.description)} */`,
        payloads.length > 0 && `import type { ${['OutgoingEvent', ...payloads].join(', ')} } from '../types.ts';`,
        s.receives.length > 0 && "import type { HandlerContext } from '../../runtime/handler-context.ts';",
        s.receives.length > 0 && "import type { Config } from '../../runtime/config.ts';",
        "import type { ServiceModule, ServiceOptions } from '../../runtime/service.ts';",
        '',
        `export const serviceName = ${literal(s.name)};`,
      ])}</Text>
      {s.sends.length > 0 && <Text>{lines([
        `/** The only events ${s.name} may send${everyService}. */`,
        `export type ${s.typeName}Event = OutgoingEvent<${s.sends.map(literal).join(' | ')}>;`,
      ])}</Text>}
      {s.sends.map((m) => <Text><EventConstructor message={m} /></Text>)}
      {s.receives.length > 0 && <Text><HandlerInterface service={s} /></Text>}
      <ServiceDefinition service={s} />
    </>
  );
}
