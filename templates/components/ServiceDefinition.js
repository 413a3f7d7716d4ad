// The typed definition helper of one service: handlers/<service>/index.ts passes its
// handlers and options through it, so the compiler checks them against the contract.
import { lines, literal } from '#lib/names.mjs';

/**
 * @param {{ service: import('#lib/model.mjs').Service }} props
 */
export function ServiceDefinition({ service: s }) {
  const handlers = s.receives.length
    ? [
      `  /** One method per message ${s.name} receives, or a function building them from the configuration. */`,
      `  readonly handlers: ${s.typeName}Handlers | ((config: Config) => ${s.typeName}Handlers);`,
    ]
    : [`  /** ${s.name} receives no message. */`, '  readonly handlers?: never;'];
  return lines([
    `/** What handlers/${s.name}/index.ts gives define${s.typeName}: its handlers and its options. */`,
    `export interface ${s.typeName}Definition extends ServiceOptions {`,
    ...handlers,
    '}',
    '',
    `/** ${s.name} as the host runs it, named as in the contract. */`,
    `export function define${s.typeName}(definition: ${s.typeName}Definition): ServiceModule<${literal(s.name)}> {`,
    '  return { ...definition, name: serviceName };',
    '}',
  ]);
}
