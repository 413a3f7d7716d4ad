// One schema per service: shop (store-order and cancel-order: catalog, orders),
// payment, invoice, mail (the three e-mail services), logs, timeline, api.
// Seeds the catalog, including the seed tutorial's A1215 and A1216 (stock 1000).
import { Migration } from '@mikro-orm/migrations';

export class Migration20261125000002_services extends Migration {
  override up(): void {
    this.addSql(`create schema if not exists shop`);
    this.addSql(`create table shop.products (
      product_id text primary key,
      name text not null,
      price_amount integer not null check (price_amount >= 0),
      currency char(3) not null,
      stock_on_hand integer not null check (stock_on_hand >= 0)
    )`);
    this.addSql(`insert into shop.products (product_id, name, price_amount, currency, stock_on_hand) values
      ('A1215', 'Trail running shoes', 8999, 'EUR', 1000),
      ('A1216', 'Merino socks', 1499, 'EUR', 1000),
      ('B2001', 'Rain jacket', 12999, 'EUR', 200),
      ('C3001', 'Insulated water bottle', 1299, 'EUR', 500),
      ('D4001', 'Headlamp', 3499, 'EUR', 150)`);
    this.addSql(`create table shop.orders (
      order_id uuid primary key,
      customer_id uuid not null,
      email text not null,
      status text not null check (status in ('PERSISTED', 'REJECTED', 'CANCELLED')),
      total_amount integer,
      currency char(3),
      rejection_reason text,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`);
    this.addSql(`create table shop.order_lines (
      order_id uuid not null references shop.orders (order_id),
      line_no integer not null,
      product_id text not null,
      name text not null,
      quantity integer not null check (quantity > 0),
      unit_price integer not null,
      line_total integer not null,
      primary key (order_id, line_no)
    )`);

    this.addSql(`create schema if not exists payment`);
    this.addSql(`create table payment.payments (
      order_id uuid primary key,
      payment_id uuid not null unique,
      status text not null check (status in ('SUCCEEDED', 'FAILED')),
      amount integer not null,
      currency char(3) not null,
      reason text,
      created_at timestamptz not null default now()
    )`);

    this.addSql(`create schema if not exists invoice`);
    this.addSql(`create sequence invoice.invoice_number_seq`);
    this.addSql(`create table invoice.invoices (
      invoice_id uuid primary key,
      order_id uuid not null unique,
      invoice_number text not null unique,
      customer_id uuid not null,
      email text not null,
      total_amount integer not null,
      currency char(3) not null,
      lines jsonb not null,
      issued_at timestamptz not null
    )`);

    this.addSql(`create schema if not exists mail`);
    this.addSql(`create table mail.emails (
      id uuid primary key,
      kind text not null check (kind in ('order-confirmation', 'invoice', 'cancellation', 'rejection')),
      subject_key text not null,
      recipient text not null,
      subject text not null,
      text_body text not null,
      html_body text not null,
      message_id text not null unique,
      status text not null default 'pending' check (status in ('pending', 'sent', 'failed')),
      attempts integer not null default 0,
      last_error text,
      next_attempt_at timestamptz not null default now(),
      created_at timestamptz not null default now(),
      sent_at timestamptz,
      unique (kind, subject_key)
    )`);
    this.addSql(`create index emails_due_idx on mail.emails (next_attempt_at) where status = 'pending'`);
    this.addSql(`create function mail.notify_email() returns trigger language plpgsql as $$
      begin perform pg_notify('mail_emails', ''); return null; end $$`);
    this.addSql(`create trigger emails_notify after insert on mail.emails for each statement execute function mail.notify_email()`);

    this.addSql(`create schema if not exists logs`);
    this.addSql(`create table logs.log_records (
      id bigserial primary key,
      message_id uuid not null unique,
      level text not null,
      service text not null,
      message text not null,
      order_id uuid,
      about_message_id uuid,
      error text,
      at timestamptz not null,
      received_at timestamptz not null default now()
    )`);
    this.addSql(`create index log_records_order_idx on logs.log_records (order_id)`);

    this.addSql(`create schema if not exists timeline`);
    this.addSql(`create table timeline.order_events (
      order_id uuid not null,
      message_id uuid not null,
      type text not null,
      at timestamptz not null,
      payload jsonb not null,
      primary key (order_id, message_id)
    )`);

    this.addSql(`create schema if not exists api`);
    this.addSql(`create table api.order_requests (
      order_id uuid primary key,
      customer_id uuid not null,
      email text not null,
      items jsonb not null,
      created_at timestamptz not null default now()
    )`);
    this.addSql(`create table api.idempotency_keys (
      key text primary key,
      request_hash text not null,
      order_id uuid not null references api.order_requests (order_id),
      created_at timestamptz not null default now()
    )`);
  }

  override down(): void {
    this.addSql(`drop schema api, timeline, logs, mail, invoice, payment, shop cascade`);
  }
}
