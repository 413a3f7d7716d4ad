// What a service is to the host: its name (from the contract), its handlers, its
// entities, and any long-running part beside its consumer (HTTP server, mailer).
import type { EntitySchema } from '@mikro-orm/core';
import type { PrefetchTarget } from './adaptive-prefetch.ts';
import type { Broker } from './broker.ts';
import type { AlongCommit } from './commit-deliveries.ts';
import type { Config } from './config.ts';
import type { DataAccess } from './database-roles.ts';
import type { Database } from './db.ts';
import type { GroupShape } from './group-commit.ts';
import type { Logger } from './logger.ts';
import type { HostMetrics } from './metrics.ts';
import type { Publisher } from './publisher.ts';
import type { Readiness } from './readiness.ts';
import type { OutboxRelay } from './relay.ts';

/** What the host runs for all its services. */
export interface HostRuntime {
  readonly config: Config;
  readonly db: Database;
  readonly relay: OutboxRelay;
  readonly log: Logger;
  /** The host's metrics (runtime/metrics.ts), served at /metrics. */
  readonly metrics: HostMetrics;
  /** The process's readiness: every broker connection up and the database reachable, on each of its threads. */
  ready(): Promise<Readiness>;
}

/** What a service is given: the host's parts, with its own pool, and its own broker connection and user. */
export interface ServiceRuntime extends HostRuntime {
  readonly broker: Broker;
  readonly publisher: Publisher;
  /** The service's group commit (ServiceOptions.commit), for work its start part groups too (the api's orders). */
  readonly commit: GroupShape;
  /** Its consumer's prefetch, for a service whose deliveries wait on a slow dependency (runtime/adaptive-prefetch.ts); undefined without handlers. */
  readonly consumer?: PrefetchTarget;
}

export interface Stoppable {
  stop(deadline: number): Promise<void>;
  /**
   * A statement for each commit of the service's consumer to send in the statement that
   * commits (no round trip of its own): the mailer's claim of the e-mails due, so that
   * what a commit queued is claimed by that commit, and sent once it committed. `handled`:
   * the deliveries the commit handled, duplicates aside.
   */
  alongCommit?(handled: number): AlongCommit | undefined;
}

/** What a service sets beside its handlers (each generated define<Service> helper takes these). */
export interface ServiceOptions {
  readonly entities?: readonly EntitySchema<any, any>[];
  /** Its data: the schemas it owns, other services' tables it reads or writes (its database role's rights). */
  readonly data?: DataAccess;
  /** Deliveries in flight by default (PREFETCH otherwise); PREFETCH_<SERVICE> overrides it. */
  readonly concurrency?: number;
  /** Connections of the service's own pool by default (DB_POOL_MAX otherwise); DB_POOL_MAX_<SERVICE> overrides it. */
  readonly dbPoolMax?: number;
  /**
   * Group commit (runtime/group-commit.ts): deliveries (or the api's requests) per
   * transaction (BATCH_SIZE by default) and transactions at a time (the pool's size by
   * default). A service whose deliveries all queue on one lock gains nothing from more
   * than one lane.
   */
  readonly commit?: Partial<GroupShape>;
  readonly start?: (runtime: ServiceRuntime) => Promise<Stoppable>;
}

/**
 * A service as the host runs it. Built by the generated define<Service> helper
 * (generated/services/<service>.ts), which checks the handlers against the contract.
 */
export interface ServiceModule<N extends string = string> extends ServiceOptions {
  readonly name: N;
  /**
   * One method per message the service receives (the generated <Service>Handlers
   * interface), or a function building them from the configuration.
   */
  readonly handlers?: object | ((config: Config) => object);
}
