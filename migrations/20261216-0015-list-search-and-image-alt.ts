// Search on the mailings and messages lists (the same stored, folded search_text as clients and users, migration
// 0008, src/db/search-text.ts), the rows already there filled; and a post image's alt text (empty: the title).
import { DataTypes } from 'sequelize';
import type { MigrationContext } from '../src/db/migrator.js';
import { fillSearchTextOf, type SearchedTable } from './20261210-0008-search-text.js';

/** Each table given search text here, and the columns folded into it (in the models' order). */
const SEARCHED: readonly SearchedTable[] = [
  { table: 'mailings', columns: ['name'] },
  { table: 'messages', columns: ['subject'] },
];

export async function up({ context: { queryInterface, sequelize } }: { context: MigrationContext }): Promise<void> {
  await sequelize.transaction(async (transaction) => {
    for (const { table } of SEARCHED) {
      const column = { type: DataTypes.TEXT, allowNull: false, defaultValue: '' };
      await queryInterface.addColumn(table, 'search_text', column, { transaction });
    }
    await fillSearchTextOf(sequelize, SEARCHED, transaction);
    const alt = { type: DataTypes.STRING(300), allowNull: false, defaultValue: '' };
    await queryInterface.addColumn('posts', 'image_alt', alt, { transaction });
  });
}

export async function down({ context: { sequelize } }: { context: MigrationContext }): Promise<void> {
  await sequelize.transaction(async (transaction) => {
    // DROP COLUMN (SQLite 3.35 and later) leaves the table and its indexes as they are, on both databases.
    await sequelize.query('ALTER TABLE posts DROP COLUMN image_alt', { transaction });
    for (const { table } of SEARCHED)
      await sequelize.query(`ALTER TABLE ${table} DROP COLUMN search_text`, { transaction });
  });
}
