// The e-mails' NOTIFY trigger goes: the e-mail service wakes its own dispatcher after
// each commit, and the dispatcher polls for the rest. Every NOTIFY woke all three
// dispatchers (two of them for nobody's kind) and took a database-wide lock at commit.
import { Migration } from '@mikro-orm/migrations';

export class Migration20261126000005_emails_without_notify extends Migration {
  override up(): void {
    this.addSql(`drop trigger emails_notify on mail.emails`);
    this.addSql(`drop function mail.notify_email()`);
  }

  override down(): void {
    this.addSql(`create function mail.notify_email() returns trigger language plpgsql as $$
      begin perform pg_notify('mail_emails', ''); return null; end $$`);
    this.addSql(`create trigger emails_notify after insert on mail.emails for each statement execute function mail.notify_email()`);
  }
}
