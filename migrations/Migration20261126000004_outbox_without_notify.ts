// The outbox's NOTIFY trigger goes: the writer now publishes its own rows right after
// the commit, and the relay only polls for what is left behind. A NOTIFY also took a
// database-wide lock at every commit that wrote an event, serialising those commits.
import { Migration } from '@mikro-orm/migrations';

export class Migration20261126000004_outbox_without_notify extends Migration {
  override up(): void {
    this.addSql(`drop trigger outbox_notify on runtime.outbox`);
    this.addSql(`drop function runtime.notify_outbox()`);
  }

  override down(): void {
    this.addSql(`create function runtime.notify_outbox() returns trigger language plpgsql as $$
      begin perform pg_notify('runtime_outbox', ''); return null; end $$`);
    this.addSql(`create trigger outbox_notify after insert on runtime.outbox
      for each statement execute function runtime.notify_outbox()`);
  }
}
