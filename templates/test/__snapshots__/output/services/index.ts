// Generated from asyncapi.yaml by templates/ (npm run generate). Do not edit.
import type { ServiceModule } from '../../runtime/service.ts';

/** Every service of the contract (x-services), by name. */
export const serviceNames = ["log-sink", "web", "worker"] as const;

export type ServiceName = (typeof serviceNames)[number];

/**
 * What handlers/index.ts exports: one loader per service of the contract, no more and
 * no fewer, so a service the contract declares and the code lacks (or the reverse) does
 * not compile. A loader imports its service's module only when the process runs it.
 */
export type ServiceLoaders = { readonly [N in ServiceName]: () => Promise<ServiceModule<N>> };
