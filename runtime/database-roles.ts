// Each service works in PostgreSQL as a role of its own, with rights on its own data
// only: the schemas it owns, the tables it reads or writes of another's (declared by
// the service: ServiceOptions.data), and the runtime's inbox and outbox (with its log
// records waiting for a batch), which every service writes. A bug that writes another service's table fails with "permission
// denied" instead of corrupting it.
// The roles are NOLOGIN: the process logs in as DATABASE_URL's user, which runs the
// migrations and owns the tables, and each service's pool takes on its role for every
// session (`-c role=...`). So that user must be a superuser or have CREATEROLE (the
// migration step then makes it a member of each role); DATABASE_ROLES=off runs every
// pool as that user instead (where roles are managed elsewhere).
import type pg from 'pg';

/** What a service touches beyond the runtime's inbox and outbox. */
export interface DataAccess {
  /** Schemas whose every table and sequence it reads and writes. */
  readonly owns?: readonly string[];
  /** Tables of other services it only reads (schema.table). */
  readonly reads?: readonly string[];
  /** Tables of other services it reads and writes (schema.table): an owner's rule it runs, e.g. a cancellation restoring stock. */
  readonly writes?: readonly string[];
}

/** The role a service's pool takes on: cluster-wide, hence prefixed. */
export const roleOf = (service: string) => `shop_svc_${service.replaceAll('-', '_')}`;

const ident = (name: string) => `"${name.replaceAll('"', '""')}"`;
const literal = (text: string) => `'${text.replaceAll("'", "''")}'`;
const table = (qualified: string) => qualified.split('.').map(ident).join('.');
const schemaOf = (qualified: string) => {
  const [schema, name] = qualified.split('.');
  if (!schema || !name) throw new Error(`"${qualified}" is not schema.table`);
  return schema;
};

/** The statements that give a service's role exactly its rights (idempotent; run after the migrations). */
export function grantsFor(service: string, data: DataAccess = {}): string[] {
  const role = ident(roleOf(service));
  const statements = [
    'grant usage on schema runtime to ' + role,
    `grant select, insert on runtime.inbox to ${role}`,
    `grant insert on runtime.outbox to ${role}`,
    `grant insert on runtime.pending_log_records to ${role}`,
    `grant usage on all sequences in schema runtime to ${role}`,
  ];
  for (const schema of data.owns ?? []) {
    statements.push(
      `grant usage on schema ${ident(schema)} to ${role}`,
      `grant select, insert, update, delete on all tables in schema ${ident(schema)} to ${role}`,
      `grant usage, select, update on all sequences in schema ${ident(schema)} to ${role}`,
    );
  }
  for (const t of data.reads ?? []) statements.push(`grant usage on schema ${ident(schemaOf(t))} to ${role}`, `grant select on ${table(t)} to ${role}`);
  for (const t of data.writes ?? []) {
    statements.push(
      `grant usage on schema ${ident(schemaOf(t))} to ${role}`,
      `grant select, insert, update, delete on ${table(t)} to ${role}`,
      // its serial columns' sequences, which an insert draws from
      `do $$ declare seq text; begin
         for seq in select format('%I.%I', n.nspname, c.relname) from pg_class c join pg_namespace n on n.oid = c.relnamespace
                      join pg_depend d on d.objid = c.oid where c.relkind = 'S' and d.refobjid = ${literal(table(t))}::regclass loop
           execute format('grant usage on sequence %s to %I', seq, ${literal(roleOf(service))});
         end loop;
       end $$`,
    );
  }
  return statements;
}

/**
 * Creates each service's role if missing, lets the connected user take it on, and grants
 * its rights. Roles are shared by every database of the server, so two databases being
 * migrated at once may race to create one: the loser finds it made.
 */
export async function ensureServiceRoles(client: pg.Client, services: readonly { readonly name: string; readonly data?: DataAccess }[]): Promise<void> {
  for (const { name, data } of services) {
    const role = roleOf(name);
    await client.query(`do $$ begin
        if not exists (select 1 from pg_roles where rolname = ${literal(role)}) then
          create role ${ident(role)} nologin;
        end if;
      exception when duplicate_object or unique_violation then null;
      end $$`);
    await client.query(`do $$ begin
        if not pg_has_role(current_user, ${literal(role)}, 'member') then
          execute format('grant %I to %I', ${literal(role)}, current_user);
        end if;
      exception when unique_violation then null; -- granted meanwhile by another database's migration
      end $$`);
    for (const statement of grantsFor(name, data)) {
      await client.query(statement).catch((err: Error) => {
        throw new Error(`granting ${name}'s database rights failed (${statement}): ${err.message}`);
      });
    }
  }
}

