import { expect } from 'chai';
import { QueryTypes, type Sequelize } from 'sequelize';
import { parseDatabaseUrl } from '../../../src/config.js';
import { connect } from '../../../src/db/connection.js';
import { createMigrator, migrateUp } from '../../../src/db/migrator.js';
import { selectRows } from '../../../src/delivery/sql.js';
import { createScratchDatabase, type ScratchDatabase } from '../../support/database.js';

const BEFORE = '20261215-0010-run-paused-kind';
const THIS = '20261216-0015-list-search-and-image-alt';

describe('migration 0015: search text on mailings and messages, alt text on posts', () => {
  let scratch: ScratchDatabase;
  let sequelize: Sequelize;

  // A database of its own, taken back to before the migration, so the rows it fills are the test's only.
  before(async () => {
    scratch = await createScratchDatabase();
    sequelize = await connect(parseDatabaseUrl(scratch.url));
    await createMigrator(sequelize).up({ to: BEFORE });
  });
  after(async () => {
    await sequelize.close();
    await scratch.drop();
  });

  async function insert(table: string, values: Record<string, unknown>): Promise<number> {
    const now = new Date().toISOString();
    const row = { ...values, created_at: now, updated_at: now };
    const columns = Object.keys(row);
    const [result] = await selectRows<{ id: number }>(
      sequelize,
      `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map((c) => `:${c}`).join(', ')}) RETURNING id`,
      row,
    );
    return Number(result?.id);
  }

  async function column(table: string, name: string): Promise<unknown[]> {
    const rows = await sequelize.query<Record<string, unknown>>(`SELECT * FROM ${table} ORDER BY id`, {
      type: QueryTypes.SELECT,
    });
    return rows.map((row) => row[name]);
  }

  it('when applied over existing rows, then names and subjects are folded into search_text; rolled back, the columns go', async () => {
    const owner = await insert('users', {
      email: 'o@example.org',
      full_name: '',
      password_hash: 'x',
      time_zone: 'UTC',
    });
    const message = await insert('messages', { owner_id: owner, subject: 'ВЕСЕННЯЯ Акция', body_text: 'x' });
    const at = new Date().toISOString();
    const schedule = { start_at: at, end_at: at, periodicity: 'once', time_zone: 'UTC', status: 'created' };
    await insert('mailings', { owner_id: owner, message_id: message, name: 'Рассылка ΣΟΦΙΑ', ...schedule });
    await insert('posts', { title: 'Пост', content: 'x' });

    await createMigrator(sequelize).up({ to: THIS });
    expect(await column('messages', 'search_text')).to.deep.equal(['весенняя акция']);
    expect(await column('mailings', 'search_text')).to.deep.equal(['рассылка σοφια']);
    expect(await column('posts', 'image_alt')).to.deep.equal(['']);

    await migrateUp(sequelize);
    await createMigrator(sequelize).down({ to: THIS });
    expect(await column('mailings', 'name')).to.deep.equal(['Рассылка ΣΟΦΙΑ']);
    expect(await column('mailings', 'search_text')).to.deep.equal([undefined]);
    expect(await column('messages', 'search_text')).to.deep.equal([undefined]);
    expect(await column('posts', 'image_alt')).to.deep.equal([undefined]);
    await migrateUp(sequelize);
    expect(await column('mailings', 'search_text')).to.deep.equal(['рассылка σοφια']);
  });
});
