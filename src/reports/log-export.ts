// A run's log read for export: plain rows from one statement per chunk (keyset on the id, through the index
// deliveries_run_id or deliveries_run_status_id), never model instances, so a million-row export holds one chunk
// of small objects at a time (issue 17: Sequelize instances per 1,000-row chunk grew the server by 270 MB).
import { boundDatabase, type DeliveryStatus } from '../db/models/index.js';
import { selectRows, toDate } from '../delivery/sql.js';

/** Rows fetched per round trip when exporting. */
export const EXPORT_CHUNK = 1_000;

/** What a run's CSV (and the data archive's log) shows of a delivery. */
export interface ExportedDelivery {
  id: number;
  email: string;
  fullName: string;
  status: DeliveryStatus;
  attemptCount: number;
  lastAttemptAt: Date | null;
  smtpResponse: string | null;
  errorClass: string | null;
  sentAt: Date | null;
}

interface DeliveryRecord {
  id: number | string;
  email: string;
  full_name: string;
  status: DeliveryStatus;
  attempt_count: number | string;
  last_attempt_at: unknown;
  smtp_response: string | null;
  error_class: string | null;
  sent_at: unknown;
}

/** A run's log (the run found with findRun, so the owner was checked) for export, by id, a chunk per round trip. */
export async function* deliveryChunks(
  run: { id: number },
  status: DeliveryStatus | null,
  size = EXPORT_CHUNK,
): AsyncGenerator<ExportedDelivery[]> {
  const sequelize = boundDatabase();
  const sql = `SELECT id, email, full_name, status, attempt_count, last_attempt_at, smtp_response, error_class, sent_at
    FROM deliveries WHERE run_id = :runId ${status ? 'AND status = :status' : ''} AND id > :afterId
    ORDER BY id LIMIT :size`;
  let afterId = 0;
  for (;;) {
    const records = await selectRows<DeliveryRecord>(sequelize, sql, { runId: run.id, status, afterId, size });
    if (records.length === 0) return;
    const chunk = records.map(exported);
    yield chunk;
    const last = chunk[chunk.length - 1];
    if (!last || chunk.length < size) return;
    afterId = last.id;
  }
}

function exported(record: DeliveryRecord): ExportedDelivery {
  return {
    id: Number(record.id),
    email: record.email,
    fullName: record.full_name,
    status: record.status,
    attemptCount: Number(record.attempt_count),
    lastAttemptAt: toDate(record.last_attempt_at),
    smtpResponse: record.smtp_response,
    errorClass: record.error_class,
    sentAt: toDate(record.sent_at),
  };
}
