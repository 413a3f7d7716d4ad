// Whether a process can do its work: every broker connection and the database answering
// (the database writable too), on each of its threads (runtime/host.ts). /ready answers from it, in the
// api (problem+json when down) or in the health server of a process without the api.
/** How long a readiness probe waits for a server's answer (the database's, the broker's): one slower than this is not ready to serve. */
export const REACHABLE_WITHIN_MS = 3000;

export interface Readiness {
  readonly broker: boolean;
  readonly database: boolean;
}

export type ReadinessChecks = { readonly broker: 'up' | 'down'; readonly database: 'up' | 'down' };

/** Each dependency as /ready names it. */
export function readinessChecks({ broker, database }: Readiness): ReadinessChecks {
  return { broker: broker ? 'up' : 'down', database: database ? 'up' : 'down' };
}
