// Log records wait here to go out many transactions at a time (runtime/log-batcher.ts),
// instead of each transaction writing a LogEmitted of its own to the outbox: at info
// level those were half of all the messages published, each an outbox row, a publish
// with confirm, a mark and a delivery to log-persistence. A row holds the records of one
// LogEmitted as a transaction wrote it (one row per transaction, not per record: fewer
// rows to insert and delete). Rows are deleted as the batch that takes them is written
// to the outbox, in the same transaction.
import { Migration } from '@mikro-orm/migrations';

export class Migration20261127000010_pending_log_records extends Migration {
  override up(): void {
    this.addSql(`create table runtime.pending_log_records (
      id bigserial primary key,
      app_id text not null,
      records jsonb not null
    )`);
    this.addSql(`create index pending_log_records_by_service_idx on runtime.pending_log_records (app_id, id)`);
  }

  override down(): void {
    this.addSql(`drop table runtime.pending_log_records`);
  }
}
