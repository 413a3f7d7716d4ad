// Every migration, in order. Listed explicitly so that what runs never depends on a directory scan.
import { Migration20261125000001_runtime } from './Migration20261125000001_runtime.ts';
import { Migration20261125000002_services } from './Migration20261125000002_services.ts';
import { Migration20261125000003_payment_attempts } from './Migration20261125000003_payment_attempts.ts';
import { Migration20261126000004_outbox_without_notify } from './Migration20261126000004_outbox_without_notify.ts';
import { Migration20261126000005_emails_without_notify } from './Migration20261126000005_emails_without_notify.ts';
import { Migration20261126000006_email_traceparent } from './Migration20261126000006_email_traceparent.ts';
import { Migration20261126000007_log_records_per_message } from './Migration20261126000007_log_records_per_message.ts';
import { Migration20261126000008_emails_pending_by_kind } from './Migration20261126000008_emails_pending_by_kind.ts';
import { Migration20261126000009_outbox_pending_by_service } from './Migration20261126000009_outbox_pending_by_service.ts';
import { Migration20261127000010_pending_log_records } from './Migration20261127000010_pending_log_records.ts';
import { Migration20261128000011_email_claims } from './Migration20261128000011_email_claims.ts';

export const migrationsList = [
  { name: 'Migration20261125000001_runtime', class: Migration20261125000001_runtime },
  { name: 'Migration20261125000002_services', class: Migration20261125000002_services },
  { name: 'Migration20261125000003_payment_attempts', class: Migration20261125000003_payment_attempts },
  { name: 'Migration20261126000004_outbox_without_notify', class: Migration20261126000004_outbox_without_notify },
  { name: 'Migration20261126000005_emails_without_notify', class: Migration20261126000005_emails_without_notify },
  { name: 'Migration20261126000006_email_traceparent', class: Migration20261126000006_email_traceparent },
  { name: 'Migration20261126000007_log_records_per_message', class: Migration20261126000007_log_records_per_message },
  { name: 'Migration20261126000008_emails_pending_by_kind', class: Migration20261126000008_emails_pending_by_kind },
  { name: 'Migration20261126000009_outbox_pending_by_service', class: Migration20261126000009_outbox_pending_by_service },
  { name: 'Migration20261127000010_pending_log_records', class: Migration20261127000010_pending_log_records },
  { name: 'Migration20261128000011_email_claims', class: Migration20261128000011_email_claims },
] as const;
