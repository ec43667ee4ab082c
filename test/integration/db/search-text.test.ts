import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { fillSearchText } from '../../../migrations/20261210-0008-search-text.js';
import { createMigrator } from '../../../src/db/migrator.js';
import { migrateUp } from '../../../src/db/migrations.js';
import { databaseBefore } from '../../support/migration-database.js';

const BEFORE = '20261201-0007-mail-form-limits';
const THIS = '20261210-0008-search-text';

describe('migration 0008: the stored search text', () => {
  const db = databaseBefore(BEFORE);

  async function searchTexts(table: string): Promise<string[]> {
    const rows = await db.sequelize.query<{ search_text: string }>(`SELECT search_text FROM ${table} ORDER BY id`, {
      type: QueryTypes.SELECT,
    });
    return rows.map((row) => row.search_text);
  }

  it('when applied over existing rows, then each row gets its fields folded, and the fill alone does it again in batches', async () => {
    const user = (email: string, fullName: string) =>
      db.insert('users', { email, full_name: fullName, password_hash: 'x', time_zone: 'UTC' });
    const owner = await user('vera@example.org', 'Вера КУЗНЕЦОВА');
    await user('sofia@example.org', 'ΣΟΦΙΑ');
    const client = (email: string, fullName: string, comment: string) =>
      db.insert('clients', { owner_id: owner, email, full_name: fullName, comment });
    for (let i = 0; i < 5; i += 1) await client(`c${i}@example.org`, `Ёлкин ${i}`, i === 4 ? 'Tête-à-TÊTE' : '');

    expect((await createMigrator(db.sequelize).up({ to: THIS })).map((m) => m.name)).to.deep.equal([THIS]);
    const clients = ['c0@example.org\nёлкин 0\n', 'c1@example.org\nёлкин 1\n', 'c2@example.org\nёлкин 2\n'];
    const expected = {
      users: ['vera@example.org\nвера кузнецова', 'sofia@example.org\nσοφια'],
      clients: [...clients, 'c3@example.org\nёлкин 3\n', 'c4@example.org\nёлкин 4\ntête-à-tête'],
    };
    expect(await searchTexts('users')).to.deep.equal(expected.users);
    expect(await searchTexts('clients')).to.deep.equal(expected.clients);

    await db.sequelize.query("UPDATE clients SET search_text = ''");
    await db.sequelize.query("UPDATE users SET search_text = ''");
    await fillSearchText(db.sequelize, undefined, 2);
    expect(await searchTexts('users')).to.deep.equal(expected.users);
    expect(await searchTexts('clients')).to.deep.equal(expected.clients);
  });

  it('when rolled back, then the column goes and the rows stay; up again fills it', async () => {
    await migrateUp(db.sequelize);
    await createMigrator(db.sequelize).down({ to: THIS });
    const rows = await db.sequelize.query<object>('SELECT * FROM clients', { type: QueryTypes.SELECT });
    expect(rows).to.have.length(5);
    expect(rows[0]).to.have.property('email');
    expect(rows[0]).not.to.have.property('search_text');
    await migrateUp(db.sequelize);
    expect((await searchTexts('clients'))[0]).to.equal('c0@example.org\nёлкин 0\n');
  });
});
