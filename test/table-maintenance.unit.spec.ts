// Which tables a maintenance pass vacuums and analyzes, and when a pass works at all.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { maintenanceDue, maintenanceWork, VACUUM_DEAD_ROWS } from '../runtime/table-maintenance.ts';
import { loadConfig } from '../runtime/config.ts';

test('a table is vacuumed from VACUUM_DEAD_ROWS dead rows, whatever its size; the most dead first', () => {
  const work = maintenanceWork([
    { table: 'runtime.outbox', live: 150_000, dead: VACUUM_DEAD_ROWS, changedSinceAnalyze: 0, analyzedAgoMs: null },
    { table: 'mail.emails', live: 10, dead: VACUUM_DEAD_ROWS - 1, changedSinceAnalyze: 0, analyzedAgoMs: null },
    { table: 'runtime.pending_log_records', live: 5, dead: 40_000, changedSinceAnalyze: 0, analyzedAgoMs: null },
  ]);
  assert.equal(work, [
    { table: 'runtime.pending_log_records', vacuum: true, analyze: false },
    { table: 'runtime.outbox', vacuum: true, analyze: false },
  ]);
});

test('a table is analyzed once more than 50 rows plus a tenth of its live rows changed since its last analyze', () => {
  const work = maintenanceWork([
    { table: 'shop.orders', live: 1000, dead: 0, changedSinceAnalyze: 151, analyzedAgoMs: null },
    { table: 'shop.products', live: 1000, dead: 0, changedSinceAnalyze: 150, analyzedAgoMs: null },
    { table: 'api.idempotency_keys', live: 0, dead: 0, changedSinceAnalyze: 51, analyzedAgoMs: null },
    { table: 'runtime.outbox', live: 0, dead: 5000, changedSinceAnalyze: 5000, analyzedAgoMs: null },
  ]);
  assert.equal(work, [
    { table: 'runtime.outbox', vacuum: true, analyze: true },
    { table: 'shop.orders', vacuum: false, analyze: true },
    { table: 'api.idempotency_keys', vacuum: false, analyze: true },
  ]);
});

test('a table analyzed less than analyzeEveryMs ago (autovacuum_naptime) waits for its next analyze; its vacuum does not', () => {
  const work = maintenanceWork([
    { table: 'timeline.order_events', live: 1000, dead: 0, changedSinceAnalyze: 500, analyzedAgoMs: 59_999 },
    { table: 'logs.log_records', live: 1000, dead: 0, changedSinceAnalyze: 500, analyzedAgoMs: 60_000 },
    { table: 'runtime.outbox', live: 1000, dead: 5000, changedSinceAnalyze: 5000, analyzedAgoMs: 15_000 },
    { table: 'runtime.inbox', live: 0, dead: 0, changedSinceAnalyze: 500, analyzedAgoMs: null },
  ], 60_000);
  assert.equal(work, [
    { table: 'runtime.outbox', vacuum: true, analyze: false },
    { table: 'logs.log_records', vacuum: false, analyze: true },
    { table: 'runtime.inbox', vacuum: false, analyze: true },
  ]);
});

test('a quiet database needs nothing', () => {
  assert.equal(maintenanceWork([{ table: 'runtime.inbox', live: 10_000, dead: 3, changedSinceAnalyze: 20, analyzedAgoMs: null }]), []);
});

test('auto works only while the server\'s autovacuum is off; on always; off never', () => {
  assert.equal([maintenanceDue('auto', false), maintenanceDue('auto', true)], [true, false]);
  assert.equal([maintenanceDue('on', false), maintenanceDue('on', true)], [true, true]);
  assert.equal([maintenanceDue('off', false), maintenanceDue('off', true)], [false, false]);
});

test('TABLE_MAINTENANCE defaults to auto every 15 s; another value is refused by name', () => {
  const config = loadConfig({});
  assert.is(config.tableMaintenance, 'auto');
  assert.is(config.tableMaintenanceMs, 15_000);
  assert.is(loadConfig({ TABLE_MAINTENANCE: 'off', TABLE_MAINTENANCE_MS: '60000' }).tableMaintenanceMs, 60_000);
  assert.throws(() => loadConfig({ TABLE_MAINTENANCE: 'sometimes' }), /TABLE_MAINTENANCE/);
  assert.throws(() => loadConfig({ TABLE_MAINTENANCE_MS: '10' }), /TABLE_MAINTENANCE_MS/);
});

test.run();
