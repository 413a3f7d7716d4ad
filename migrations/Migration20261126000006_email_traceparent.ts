// A queued e-mail keeps the traceparent of the handling that queued it, so that its
// send, later and from the dispatcher's loop, is a span of the order's trace.
import { Migration } from '@mikro-orm/migrations';

export class Migration20261126000006_email_traceparent extends Migration {
  override up(): void {
    this.addSql(`alter table mail.emails add column traceparent text`);
  }

  override down(): void {
    this.addSql(`alter table mail.emails drop column traceparent`);
  }
}
