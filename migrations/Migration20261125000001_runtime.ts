// The runtime's tables: inbox (idempotent consumers) and outbox (transactional publishing).
import { Migration } from '@mikro-orm/migrations';

export class Migration20261125000001_runtime extends Migration {
  override up(): void {
    this.addSql(`create schema if not exists runtime`);
    this.addSql(`create table runtime.inbox (
      consumer text not null,
      message_id uuid not null,
      message_type text not null,
      processed_at timestamptz not null default now(),
      primary key (consumer, message_id)
    )`);
    this.addSql(`create index inbox_processed_at_idx on runtime.inbox (processed_at)`);
    this.addSql(`create table runtime.outbox (
      id bigserial primary key,
      message_id uuid not null unique,
      message_type text not null,
      exchange text not null,
      routing_key text not null,
      correlation_id text,
      causation_id uuid not null,
      traceparent text not null,
      app_id text not null,
      payload jsonb not null,
      status text not null default 'pending' check (status in ('pending', 'sent', 'failed')),
      attempts integer not null default 0,
      last_error text,
      created_at timestamptz not null default now(),
      sent_at timestamptz
    )`);
    this.addSql(`create index outbox_pending_idx on runtime.outbox (id) where status = 'pending'`);
    this.addSql(`create index outbox_pending_correlation_idx on runtime.outbox (correlation_id, id) where status = 'pending'`);
    this.addSql(`create index outbox_sent_at_idx on runtime.outbox (sent_at) where status = 'sent'`);
    // Wakes the relays as soon as a transaction that wrote events commits.
    this.addSql(`create function runtime.notify_outbox() returns trigger language plpgsql as $$
      begin perform pg_notify('runtime_outbox', ''); return null; end $$`);
    this.addSql(`create trigger outbox_notify after insert on runtime.outbox
      for each statement execute function runtime.notify_outbox()`);
  }

  override down(): void {
    this.addSql(`drop schema runtime cascade`);
  }
}
