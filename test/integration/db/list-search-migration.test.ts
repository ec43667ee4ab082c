import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { createMigrator } from '../../../src/db/migrator.js';
import { migrateUp } from '../../../src/db/migrations.js';
import { databaseBefore } from '../../support/migration-database.js';

const BEFORE = '20261215-0010-run-paused-kind';
const THIS = '20261216-0015-list-search-and-image-alt';

describe('migration 0015: search text on mailings and messages, alt text on posts', () => {
  const db = databaseBefore(BEFORE);

  async function column(table: string, name: string): Promise<unknown[]> {
    const rows = await db.sequelize.query<Record<string, unknown>>(`SELECT * FROM ${table} ORDER BY id`, {
      type: QueryTypes.SELECT,
    });
    return rows.map((row) => row[name]);
  }

  it('when applied over existing rows, then names and subjects are folded into search_text; rolled back, the columns go', async () => {
    const owner = await db.insert('users', {
      email: 'o@example.org',
      full_name: '',
      password_hash: 'x',
      time_zone: 'UTC',
    });
    const message = await db.insert('messages', { owner_id: owner, subject: 'ВЕСЕННЯЯ Акция', body_text: 'x' });
    const at = new Date().toISOString();
    const schedule = { start_at: at, end_at: at, periodicity: 'once', time_zone: 'UTC', status: 'created' };
    await db.insert('mailings', { owner_id: owner, message_id: message, name: 'Рассылка ΣΟΦΙΑ', ...schedule });
    await db.insert('posts', { title: 'Пост', content: 'x' });

    await createMigrator(db.sequelize).up({ to: THIS });
    expect(await column('messages', 'search_text')).to.deep.equal(['весенняя акция']);
    expect(await column('mailings', 'search_text')).to.deep.equal(['рассылка σοφια']);
    expect(await column('posts', 'image_alt')).to.deep.equal(['']);

    await migrateUp(db.sequelize);
    await createMigrator(db.sequelize).down({ to: THIS });
    expect(await column('mailings', 'name')).to.deep.equal(['Рассылка ΣΟΦΙΑ']);
    expect(await column('mailings', 'search_text')).to.deep.equal([undefined]);
    expect(await column('messages', 'search_text')).to.deep.equal([undefined]);
    expect(await column('posts', 'image_alt')).to.deep.equal([undefined]);
    await migrateUp(db.sequelize);
    expect(await column('mailings', 'search_text')).to.deep.equal(['рассылка σοφια']);
  });
});
