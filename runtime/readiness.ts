// Whether a process can do its work: every broker connection up and the database
// reachable, on each of its threads (runtime/host.ts). /ready answers from it, in the
// api (problem+json when down) or in the health server of a process without the api.
export interface Readiness {
  readonly broker: boolean;
  readonly database: boolean;
}

export type ReadinessChecks = { readonly broker: 'up' | 'down'; readonly database: 'up' | 'down' };

/** Each dependency as /ready names it. */
export function readinessChecks({ broker, database }: Readiness): ReadinessChecks {
  return { broker: broker ? 'up' : 'down', database: database ? 'up' : 'down' };
}
