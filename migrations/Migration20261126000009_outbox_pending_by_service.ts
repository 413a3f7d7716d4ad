// The relay's pass claims rows of its own services that writers left pending. Through
// outbox_pending_idx (id only) the planner, with the statistics of a table that grew
// since its last analyze, chose a bitmap scan, which never marks dead index entries:
// every event sent since the last vacuum was checked against the table again by every
// pass (7 ms a pass with nothing to claim, after 40 s at 150 orders/s, growing until a
// vacuum). Through (app_id, id) a pass is one plain index scan, which marks what it
// finds dead. The (correlation_id, id) index for the per-order check stays.
import { Migration } from '@mikro-orm/migrations';

export class Migration20261126000009_outbox_pending_by_service extends Migration {
  override up(): void {
    this.addSql(`create index outbox_pending_by_service_idx on runtime.outbox (app_id, id) where status = 'pending'`);
    this.addSql(`drop index runtime.outbox_pending_idx`);
  }

  override down(): void {
    this.addSql(`create index outbox_pending_idx on runtime.outbox (id) where status = 'pending'`);
    this.addSql(`drop index runtime.outbox_pending_by_service_idx`);
  }
}
