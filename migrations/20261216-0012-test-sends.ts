// Test sends: a message sent to its owner's own addresses before a mailing. Kept apart from the delivery log
// (no run, no client), so they are never counted in reports or the home statistics. A row is claimed by one
// conditional UPDATE (status pending → sending), so two workers never send the same test twice.
import { DataTypes } from 'sequelize';
import type { MigrationContext } from '../src/db/migrator.js';

const ref = (table: string, onDelete: 'CASCADE' | 'SET NULL') => ({
  type: DataTypes.INTEGER,
  allowNull: onDelete === 'SET NULL',
  references: { model: table, key: 'id' },
  onDelete,
  onUpdate: 'CASCADE',
});

export async function up({ context: { queryInterface, sequelize } }: { context: MigrationContext }): Promise<void> {
  await sequelize.transaction(async (transaction) => {
    await queryInterface.createTable(
      'test_sends',
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        user_id: ref('users', 'CASCADE'),
        // A deleted message leaves its tests (without it): they still count towards the owner's hourly limit.
        message_id: ref('messages', 'SET NULL'),
        address: { type: DataTypes.STRING(254), allowNull: false },
        status: { type: DataTypes.STRING(20), allowNull: false, defaultValue: 'pending' },
        reply: { type: DataTypes.TEXT, allowNull: true },
        created_at: { type: DataTypes.DATE, allowNull: false },
        attempted_at: { type: DataTypes.DATE, allowNull: true },
      },
      { transaction },
    );
    // The worker's look for pending rows; the hourly limit per user; a message page's latest tests.
    await queryInterface.addIndex('test_sends', ['status', 'id'], { name: 'test_sends_status', transaction });
    await queryInterface.addIndex('test_sends', ['user_id', 'created_at'], { name: 'test_sends_user', transaction });
    await queryInterface.addIndex('test_sends', ['message_id', 'id'], { name: 'test_sends_message', transaction });
  });
}

export async function down({ context: { queryInterface, sequelize } }: { context: MigrationContext }): Promise<void> {
  await sequelize.transaction(async (transaction) => {
    await queryInterface.dropTable('test_sends', { transaction });
  });
}
