// Each claim of e-mails marks its rows with a token of its own. A commit that claims the
// e-mails it queued may lose its answer (a connection cut or silenced as the commit
// went out): whether it committed is then unknown, and if it did, its e-mails sat out the
// claim's whole lease (two minutes) unsent, since nobody held them. With the token, the
// service gives back exactly the rows of that claim, if it committed, and they go at once.
import { Migration } from '@mikro-orm/migrations';

export class Migration20261128000011_email_claims extends Migration {
  override up(): void {
    this.addSql(`alter table mail.emails add column claim uuid`);
  }

  override down(): void {
    this.addSql(`alter table mail.emails drop column claim`);
  }
}
