// A LogEmitted carries all the records one transaction wrote (a group commit's handled
// messages), so a message is several rows: each is its message's id and its place in it.
import { Migration } from '@mikro-orm/migrations';

export class Migration20261126000007_log_records_per_message extends Migration {
  override up(): void {
    this.addSql(`alter table logs.log_records add column seq integer not null default 0`);
    this.addSql(`alter table logs.log_records drop constraint log_records_message_id_key`);
    this.addSql(`alter table logs.log_records add constraint log_records_message_id_seq_key unique (message_id, seq)`);
  }

  override down(): void {
    this.addSql(`delete from logs.log_records where seq > 0`);
    this.addSql(`alter table logs.log_records drop constraint log_records_message_id_seq_key`);
    this.addSql(`alter table logs.log_records add constraint log_records_message_id_key unique (message_id)`);
    this.addSql(`alter table logs.log_records drop column seq`);
  }
}
