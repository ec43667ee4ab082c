import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { countClients, deleteClient, listClients, updateClient } from '../../../src/clients/clients.service.js';
import { Client, type User } from '../../../src/db/models/index.js';
import { INDEX_MATCH_CAP } from '../../../src/db/search-text.js';
import { USING_POSTGRES } from '../../support/database.js';
import { makeClient, makeUser } from '../../support/factories.js';
import { testDatabase } from '../../support/hooks.js';

async function emailsFound(owner: User, words: string): Promise<string[]> {
  const page = await listClients(owner, words, { offset: 0, limit: 50 });
  expect(await countClients(owner, words), words).to.equal(page.length);
  return page.map((client) => client.email);
}

/** The statements `work` sends through Sequelize. */
async function statementsOf(work: () => Promise<unknown>): Promise<string[]> {
  const options = (testDatabase() as unknown as { options: { logging: unknown } }).options;
  const statements: string[] = [];
  const logging = options.logging;
  options.logging = (sql: string) => void statements.push(sql.replace(/^Executing \([^)]*\): /, ''));
  try {
    await work();
  } finally {
    options.logging = logging;
  }
  return statements;
}

describe('clients search through the SQLite trigram index', () => {
  before(function () {
    // The index is SQLite's (migration 0036); PostgreSQL's search is pg_trgm's.
    if (USING_POSTGRES) this.skip();
  });

  it('when clients are added, edited and deleted, then the search follows each change, short words and quotes too', async () => {
    const owner = await makeUser();
    const vera = await makeClient(owner, { email: 'vera.k@index.test', fullName: 'Вера "Кузнецова"' });
    await makeClient(owner, { email: 'olga@index.test', fullName: 'Ольга Петрова' });
    expect(await emailsFound(owner, 'КУЗНЕЦ')).to.deep.equal(['vera.k@index.test']);
    expect(await emailsFound(owner, '"кузн')).to.deep.equal(['vera.k@index.test']);
    expect(await emailsFound(owner, 'ве')).to.deep.equal(['vera.k@index.test']);
    expect(await emailsFound(owner, 'index.test')).to.deep.equal(['olga@index.test', 'vera.k@index.test']);
    await updateClient(owner, vera.id, { email: 'vera.k@index.test', fullName: 'Вера Смирнова', comment: '' });
    expect(await emailsFound(owner, 'кузнец')).to.deep.equal([]);
    expect(await emailsFound(owner, 'смирнова')).to.deep.equal(['vera.k@index.test']);
    await deleteClient(owner, vera.id);
    expect(await emailsFound(owner, 'смирнова')).to.deep.equal([]);
  });

  it("when a search is rare, then its rows are looked up in the index; when common, the owner's rows are read", async () => {
    const owner = await makeUser();
    const common = Array.from({ length: INDEX_MATCH_CAP }, (_, i) => ({
      ownerId: owner.id,
      email: `c${i}@common.test`,
      fullName: 'Commonplace',
    }));
    await Client.bulkCreate(common);
    const rare = await statementsOf(() => listClients(owner, 'miller 41', { offset: 0, limit: 20 }));
    const idQuery = rare.find((sql) => sql.includes('FROM `clients`')) ?? '';
    expect(idQuery).to.contain('clients_search');
    const plan = await testDatabase().query<{ detail: string }>(`EXPLAIN QUERY PLAN ${idQuery}`, {
      type: QueryTypes.SELECT,
    });
    expect(plan.map((step) => step.detail).join('\n')).to.match(/VIRTUAL TABLE INDEX/);

    const frequent = await statementsOf(() => listClients(owner, 'commonplace', { offset: 0, limit: 20 }));
    expect(frequent.filter((sql) => sql.includes('FROM `clients`')).join('\n')).not.to.contain('clients_search');
    expect(await countClients(owner, 'COMMONPLACE')).to.equal(INDEX_MATCH_CAP);
  });
});
