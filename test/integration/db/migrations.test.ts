import { expect } from 'chai';
import type { Sequelize } from 'sequelize';
import { parseDatabaseUrl } from '../../../src/config.js';
import { connect } from '../../../src/db/connection.js';
import { createMigrator, migrateUp } from '../../../src/db/migrator.js';
import { createScratchDatabase, type ScratchDatabase } from '../../support/database.js';
import { testDatabase } from '../../support/hooks.js';

const TABLES = [
  'clients',
  'deliveries',
  'mailing_clients',
  'mailing_runs',
  'mailings',
  'messages',
  'posts',
  'sessions',
  'tokens',
  'users',
];

async function tableNames(sequelize: Sequelize): Promise<string[]> {
  const names = (await sequelize.getQueryInterface().showAllTables()) as unknown[];
  return names
    .map((n) => (typeof n === 'string' ? n : (n as { tableName: string }).tableName))
    .filter((n) => n !== 'schema_migrations')
    .sort();
}

describe('migrations', () => {
  let scratch: ScratchDatabase;
  let sequelize: Sequelize;

  // The suite's own database was migrated by the root hooks; these tests use a second, empty one.
  before(async () => {
    scratch = await createScratchDatabase();
    sequelize = await connect(parseDatabaseUrl(scratch.url));
  });
  after(async () => {
    await sequelize.close();
    await scratch.drop();
  });

  it('when run on an empty database, then every table is created and the run is recorded', async () => {
    expect(await tableNames(sequelize)).to.deep.equal([]);
    const applied = await migrateUp(sequelize);
    expect(applied).to.have.length.greaterThan(0);
    expect(await tableNames(sequelize)).to.deep.equal(TABLES);
    expect((await createMigrator(sequelize).pending()).length).to.equal(0);
  });

  it('when run again, then nothing is applied', async () => {
    expect(await migrateUp(sequelize)).to.deep.equal([]);
  });

  it('when rolled all the way down and up again, then the schema comes back whole', async () => {
    await createMigrator(sequelize).down({ to: 0 });
    expect(await tableNames(sequelize)).to.deep.equal([]);
    await migrateUp(sequelize);
    expect(await tableNames(sequelize)).to.deep.equal(TABLES);
  });

  it('when the suite database was migrated at start, then it has the same tables', async () => {
    expect(await tableNames(testDatabase())).to.deep.equal(TABLES);
  });
});
