// bench:scale's explain phase (PostgreSQL): the statements behind the big customer's screens, caught from the
// app's own service functions run in this process (Sequelize's logging, values already in the text), each
// EXPLAIN ANALYZEd; prints its time and the plan's text, so PERFORMANCE.md can say what a slow screen does.
import { QueryTypes, type Sequelize } from 'sequelize';
import { computeHomeStats } from '../src/home/home-stats.js';
import { countClients, listClients } from '../src/clients/clients.service.js';
import { User } from '../src/db/models/index.js';
import { parseForm } from '../src/forms/parse-form.js';
import { reportFilterForm } from '../src/reports/report.form.js';
import {
  countDeliveries,
  countRuns,
  deliveriesPerDay,
  findRun,
  listDeliveries,
  listMailingChoices,
  listRuns,
} from '../src/reports/reports.service.js';
import { pageOf } from '../src/web/pagination.js';
import { phaseHeading } from './scale-report.js';

/** Runs `work` and gives the statements it sent. */
async function statementsOf(sequelize: Sequelize, work: () => Promise<unknown>): Promise<string[]> {
  const caught: string[] = [];
  // Sequelize reads `options.logging` at every query, but its typings do not declare `options` on the instance.
  const options = (sequelize as unknown as { options: { logging: unknown } }).options;
  const before = options.logging;
  options.logging = (sql: string) => caught.push(sql.replace(/^Executing \([^)]*\): /, ''));
  try {
    await work();
  } finally {
    options.logging = before;
  }
  return caught;
}

async function explain(sequelize: Sequelize, screen: string, statement: string): Promise<void> {
  const rows = await sequelize.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${statement}`, {
    type: QueryTypes.SELECT,
    logging: false,
  });
  const plan = rows.map((row) => row['QUERY PLAN']);
  const time = plan.find((line) => line.startsWith('Execution Time')) ?? '';
  process.stdout.write(`\n-- ${screen}: ${time}\n-- ${statement.replace(/\s+/g, ' ').slice(0, 400)}\n`);
  for (const line of plan) process.stdout.write(`   ${line}\n`);
}

/** The screens' statements for the big customer, explained (on PostgreSQL only). */
export async function explainPhase(sequelize: Sequelize, ownerId: number, newestRunId: number): Promise<void> {
  phaseHeading('explain (the big customer)');
  if (sequelize.getDialect() !== 'postgres') {
    process.stdout.write('explain: PostgreSQL only\n');
    return;
  }
  const owner = await User.findByPk(ownerId, { rejectOnEmpty: true });
  const form = parseForm(reportFilterForm({ timeZone: owner.timeZone, mailingIds: [] }), {});
  if (!form.ok) throw new Error('the empty report filter was refused');
  const filters = form.data;
  const run = await findRun(owner, newestRunId);
  const screens: Record<string, () => Promise<unknown>> = {
    report: async () => {
      await listMailingChoices(owner);
      await listRuns(owner, filters, pageOf('1', await countRuns(owner, filters)));
      await deliveriesPerDay(owner, filters);
    },
    'newest run log, page 1': async () => listDeliveries(run, null, pageOf('1', await countDeliveries(run, null))),
    'newest run log, page 4,000': async () =>
      listDeliveries(run, null, pageOf('4000', await countDeliveries(run, null))),
    'clients list, page 1': async () => listClients(owner, '', pageOf('1', await countClients(owner, ''))),
    'search "miller"': async () => listClients(owner, 'miller', pageOf('1', await countClients(owner, 'miller'))),
    'home statistics': () => computeHomeStats(sequelize),
  };
  for (const [screen, work] of Object.entries(screens)) {
    for (const statement of await statementsOf(sequelize, work)) {
      if (/^\s*(\/\*.*?\*\/\s*)?SELECT/is.test(statement)) await explain(sequelize, screen, statement);
    }
  }
}
