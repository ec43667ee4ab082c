// bench:scale's snapshot phase: a customer with a million clients (inserted by SQL, not timed) and an "all my
// clients" mailing, whose run is created by the app's own createRun in a transaction, as the scheduler creates
// it: the time of that one call against the goal. The run's million-row log is then what the export phase reads.
import type { Sequelize } from 'sequelize';
import { createRun } from '../src/delivery/runs.js';
import { createCustomer, createMailings, insertClients, type Customer } from './scale-data.js';
import { count, figureLine, phaseHeading } from './scale-report.js';

const SNAPSHOT_GOAL_SECONDS = 5;

/** The million customer and their run. */
export interface MillionRun {
  customer: Customer;
  runId: number;
  recipients: number;
}

/** Builds the customer, times the run's creation and prints it. */
export async function snapshotPhase(sequelize: Sequelize, clients: number): Promise<MillionRun> {
  phaseHeading('run snapshot');
  const customer = await createCustomer('million@bench.example.org', 'Million Customer');
  const prepared = performance.now();
  await insertClients(sequelize, customer.id, clients, 'million.example.org');
  // As the build does: PostgreSQL's autovacuum would have analysed the grown table by the time a run is due.
  if (sequelize.getDialect() === 'postgres') await sequelize.query('ANALYZE clients');
  const insertSeconds = (performance.now() - prepared) / 1000;
  const [mailingId] = (await createMailings(customer.id, 1, true)) as [number];
  const now = new Date();
  const started = performance.now();
  const run = await sequelize.transaction((transaction) => createRun(sequelize, mailingId, now, now, transaction));
  const seconds = (performance.now() - started) / 1000;
  if (!run) throw new Error('createRun made no run');
  figureLine({
    phase: 'snapshot',
    what: `run snapshot of ${count(run.totalCount)} recipients (createRun)`,
    figure: `${seconds.toFixed(1)} s (the clients inserted by SQL beforehand in ${insertSeconds.toFixed(1)} s)`,
    goal: `≤ ${SNAPSHOT_GOAL_SECONDS} s`,
    ok: seconds <= SNAPSHOT_GOAL_SECONDS,
  });
  return { customer, runId: run.id, recipients: run.totalCount };
}
