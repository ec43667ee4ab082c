// "All my clients" is a rule, not a list: a mailing with `all_clients` goes, at each run, to every client its
// owner has then (minus those unsubscribed), and keeps no rows in mailing_clients. Existing mailings keep their
// lists: nothing tells which of them were made with the box ticked.
import { DataTypes } from 'sequelize';
import type { MigrationContext } from '../src/db/migrator.js';

export async function up({ context: { queryInterface } }: { context: MigrationContext }): Promise<void> {
  await queryInterface.addColumn('mailings', 'all_clients', {
    type: DataTypes.BOOLEAN,
    allowNull: false,
    defaultValue: false,
  });
}

export async function down({ context: { sequelize } }: { context: MigrationContext }): Promise<void> {
  // Plain SQL on both: Sequelize's removeColumn rebuilds an SQLite table and loses its definition's details.
  await sequelize.query('ALTER TABLE mailings DROP COLUMN all_clients');
}
