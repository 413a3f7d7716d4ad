// A PostgreSQL connection of its own, outside the services' pools: the migrations' lock
// and admin connections, table maintenance. node-postgres emits 'error' on a client whose
// server goes away while it waits between queries (a restart, a terminated backend), and
// an 'error' event nobody listens to ends the process: a PostgreSQL restart under load
// killed the all-in-one process when it came between two statements of a maintenance
// pass. The listener keeps the error instead; the client's next query fails, where its
// caller handles failures (a pass is retried at the next interval).
import type pg from 'pg';
import { AnswerDeadlineClient } from './answer-deadline.ts';

export interface OwnConnection {
  readonly client: pg.Client;
  /** Ends the connection; one the server dropped has nothing left to end. */
  end(): Promise<void>;
}

/**
 * Connects a client of its own (connectionTimeoutMillis 10 s: a server that hangs fails the
 * connect rather than holding it). Its statements have no deadline (a VACUUM may take
 * minutes), but one whose answer is lost on a half-open path ends once the server says so
 * (runtime/answer-deadline.ts), so that a pass is not stuck on it for ever.
 */
export async function connectOwn(connectionString: string, applicationName?: string): Promise<OwnConnection> {
  const client: pg.Client = new AnswerDeadlineClient({ connectionString, connectionTimeoutMillis: 10_000, ...(applicationName ? { application_name: applicationName } : {}) });
  let lost: Error | undefined;
  client.on('error', (err: Error) => { lost ??= err; });
  await client.connect();
  return {
    client,
    end: () => client.end().catch((err: Error) => {
      if (!lost) throw err;
    }),
  };
}
