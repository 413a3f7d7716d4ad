// payment.attempts: the intent to charge an order, recorded before the card processor is
// called outside any transaction. Its payment_id is the payment's id across every retry
// and redelivery; the row is also what the recording transaction locks per order.
// payment.payments keeps the final outcomes only, now with the processor's charge id.
import { Migration } from '@mikro-orm/migrations';

export class Migration20261125000003_payment_attempts extends Migration {
  override up(): void {
    this.addSql(`create table payment.attempts (
      order_id uuid primary key,
      payment_id uuid not null unique,
      calls integer not null default 1 check (calls > 0),
      first_called_at timestamptz not null default now(),
      last_called_at timestamptz not null default now()
    )`);
    this.addSql(`alter table payment.payments add column charge_id text`);
  }

  override down(): void {
    this.addSql(`alter table payment.payments drop column charge_id`);
    this.addSql(`drop table payment.attempts`);
  }
}
