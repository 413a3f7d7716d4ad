// Counts a database's round trips to PostgreSQL: the server's ReadyForQuery answers, one
// per round trip, on every connection of its pool.
import type pg from 'pg';
import type { Database } from '../../runtime/db.ts';

export type RoundTripCounting = <T>(fn: () => Promise<T>) => Promise<{ value: T; trips: number }>;

/** Starts counting on the database's connections (opening one first, so its start-up is not counted); returns what counts fn's round trips. */
export async function countRoundTrips(db: Database): Promise<RoundTripCounting> {
  let roundTrips = 0;
  const pool = await db.em.getConnection().getNativeClient();
  const counted = new WeakSet<object>();
  pool.on('acquire', (client: pg.Client & { connection: { on(event: string, fn: () => void): void } }) => {
    if (counted.has(client)) return;
    counted.add(client);
    client.connection.on('readyForQuery', () => { roundTrips += 1; });
  });
  await db.em.fork().execute('select 1');
  return async (fn) => {
    const before = roundTrips;
    const value = await fn();
    return { value, trips: roundTrips - before };
  };
}
