// A message is written in one language, and what the e-mail adds to it (the footer, the unsubscribe pages its
// link opens) speaks that language. Existing messages get their owner's language: the one they write the site in.
import { DataTypes } from 'sequelize';
import type { MigrationContext } from '../src/db/migrator.js';

export async function up({ context: { queryInterface, sequelize } }: { context: MigrationContext }): Promise<void> {
  await sequelize.transaction(async (transaction) => {
    const column = { type: DataTypes.STRING(5), allowNull: false, defaultValue: 'en' };
    await queryInterface.addColumn('messages', 'language', column, { transaction });
    await sequelize.query(
      'UPDATE messages SET language = (SELECT users.language FROM users WHERE users.id = messages.owner_id)',
      { transaction },
    );
  });
}

export async function down({ context: { sequelize } }: { context: MigrationContext }): Promise<void> {
  // Plain SQL on both: Sequelize's removeColumn rebuilds an SQLite table and loses its definition's details.
  await sequelize.query('ALTER TABLE messages DROP COLUMN language');
}
