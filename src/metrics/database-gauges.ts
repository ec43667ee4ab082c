// The series read from the database when /metrics is scraped: the deliveries are the queue, shared by every
// process, so each process reports the same totals. Two cheap statements: the runs' own counters (one row per
// run), and the open runs' pending/sending deliveries through the (run_id, status, id) index.
import { QueryTypes, type Sequelize } from 'sequelize';
import { deliveriesByStatus, runQueueDepth } from './metrics.js';

interface Totals {
  sent: number | string | null;
  failed: number | string | null;
  unknown: number | string | null;
}

interface OpenCount {
  run_id: number | string;
  state: string;
  status: 'pending' | 'sending';
  n: number | string;
}

const TOTALS = `SELECT SUM(sent_count) AS sent, SUM(failed_count) AS failed, SUM(unknown_count) AS unknown
  FROM mailing_runs`;

const OPEN = `SELECT d.run_id, r.state, d.status, COUNT(*) AS n
  FROM deliveries d JOIN mailing_runs r ON r.id = d.run_id
  WHERE r.state IN ('pending', 'running', 'paused') AND d.status IN ('pending', 'sending')
  GROUP BY d.run_id, r.state, d.status`;

/** Sets the delivery and queue gauges from the database just before a scrape is written. */
export async function refreshDatabaseGauges(sequelize: Sequelize): Promise<void> {
  const [totals] = await sequelize.query<Totals>(TOTALS, { type: QueryTypes.SELECT });
  const open = await sequelize.query<OpenCount>(OPEN, { type: QueryTypes.SELECT });
  const byStatus = { pending: 0, sending: 0 };
  const depth = new Map<string, number>();
  for (const row of open) {
    const n = Number(row.n);
    byStatus[row.status] += n;
    if (row.state === 'running') depth.set(String(row.run_id), (depth.get(String(row.run_id)) ?? 0) + n);
  }
  deliveriesByStatus.set({ status: 'pending' }, byStatus.pending);
  deliveriesByStatus.set({ status: 'sending' }, byStatus.sending);
  deliveriesByStatus.set({ status: 'sent' }, Number(totals?.sent ?? 0));
  deliveriesByStatus.set({ status: 'failed' }, Number(totals?.failed ?? 0));
  deliveriesByStatus.set({ status: 'unknown' }, Number(totals?.unknown ?? 0));
  runQueueDepth.reset();
  for (const [runId, n] of depth) runQueueDepth.set({ run_id: runId }, n);
}
