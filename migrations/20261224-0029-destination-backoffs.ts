// One row per destination group (a recipient domain, or a provider's domains together) that deferred our mail
// with a 421 or a 4.7.x reply: until when nobody sends to it, how long the last wait was (the next one doubles it)
// and how many waits came in a row. Every process reads and writes the same rows, so a group slowed by one worker
// is slowed for all (src/delivery/pacing-backoffs.ts). A success deletes the group's row. Times are epoch
// milliseconds, so the backoff's arithmetic is the same plain integer SQL on SQLite and PostgreSQL.
import { DataTypes } from 'sequelize';
import type { MigrationContext } from '../src/db/migrator.js';

export async function up({ context: { queryInterface, sequelize } }: { context: MigrationContext }): Promise<void> {
  await sequelize.transaction(async (transaction) => {
    await queryInterface.createTable(
      'destination_backoffs',
      {
        // The destination group, as pacing-settings.ts names it.
        group_name: { type: DataTypes.STRING(300), primaryKey: true },
        // No claim of the group's deliveries before this instant (epoch milliseconds).
        until_ms: { type: DataTypes.BIGINT, allowNull: false },
        // The length of the current wait; the next deferral after it waits twice as long (up to the maximum).
        delay_ms: { type: DataTypes.BIGINT, allowNull: false },
        // Waits in a row without a success in between.
        deferrals: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 1 },
      },
      { transaction },
    );
  });
}

export async function down({ context: { queryInterface, sequelize } }: { context: MigrationContext }): Promise<void> {
  await sequelize.transaction(async (transaction) => {
    await queryInterface.dropTable('destination_backoffs', { transaction });
  });
}
