// generated/services/index.ts: the contract's services by name, and the type of the
// record handlers/index.ts must export (a loader per service, no more, no fewer).
import { HEADER, lines, literal } from '#lib/names.mjs';

/**
 * @param {{ services: import('#lib/model.mjs').Service[] }} props
 */
export function ServiceIndex({ services }) {
  return lines([
    HEADER,
    "import type { ServiceModule } from '../../runtime/service.ts';",
    '',
    '/** Every service of the contract (x-services), by name. */',
    `export const serviceNames = [${services.map((s) => literal(s.name)).join(', ')}] as const;`,
    '',
    'export type ServiceName = (typeof serviceNames)[number];',
    '',
    '/**',
    ' * What handlers/index.ts exports: one loader per service of the contract, no more and',
    ' * no fewer, so a service the contract declares and the code lacks (or the reverse) does',
    " * not compile. A loader imports its service's module only when the process runs it.",
    ' */',
    'export type ServiceLoaders = { readonly [N in ServiceName]: () => Promise<ServiceModule<N>> };',
  ]);
}
