// Bounces and complaints: the per-owner suppression list (an address never mailed again by that owner, and why),
// the soft bounces counted in a row per owner and address, and a delivery's diagnostic when a bounce or a
// complaint comes back for it (its status becomes `bounced` or `complained`, both fit the status column).
import { DataTypes } from 'sequelize';
import type { MigrationContext } from '../src/db/migrator.js';

const owner = {
  type: DataTypes.INTEGER,
  allowNull: false,
  references: { model: 'users', key: 'id' },
  onDelete: 'CASCADE',
  onUpdate: 'CASCADE',
};

export async function up({ context: { queryInterface, sequelize } }: { context: MigrationContext }): Promise<void> {
  await sequelize.transaction(async (transaction) => {
    await queryInterface.createTable(
      'suppressions',
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        owner_id: owner,
        // Stored lower-cased, as clients' addresses are, so the snapshot compares them as they are.
        address: { type: DataTypes.STRING(254), allowNull: false },
        reason: { type: DataTypes.STRING(20), allowNull: false },
        source: { type: DataTypes.STRING(20), allowNull: false },
        // A plain id, no key: like the log's client id, it outlives the delivery it names.
        delivery_id: { type: DataTypes.INTEGER, allowNull: true },
        diagnostic: { type: DataTypes.TEXT, allowNull: true },
        created_at: { type: DataTypes.DATE, allowNull: false },
      },
      { transaction },
    );
    await queryInterface.addIndex('suppressions', ['owner_id', 'address'], {
      name: 'suppressions_owner_address',
      unique: true,
      transaction,
    });
    await queryInterface.createTable(
      'soft_bounces',
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        owner_id: owner,
        address: { type: DataTypes.STRING(254), allowNull: false },
        count: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
        last_delivery_id: { type: DataTypes.INTEGER, allowNull: true },
        updated_at: { type: DataTypes.DATE, allowNull: false },
      },
      { transaction },
    );
    await queryInterface.addIndex('soft_bounces', ['owner_id', 'address'], {
      name: 'soft_bounces_owner_address',
      unique: true,
      transaction,
    });
    await queryInterface.addColumn(
      'deliveries',
      'feedback',
      { type: DataTypes.TEXT, allowNull: true },
      { transaction },
    );
  });
}

export async function down({ context: { queryInterface, sequelize } }: { context: MigrationContext }): Promise<void> {
  await sequelize.transaction(async (transaction) => {
    // Plain DROP COLUMN on both dialects: Sequelize's SQLite removeColumn rebuilds the table in its own words,
    // losing its indexes and the definition migration 0004's down expects.
    await sequelize.query('ALTER TABLE deliveries DROP COLUMN feedback', { transaction });
    await queryInterface.dropTable('soft_bounces', { transaction });
    await queryInterface.dropTable('suppressions', { transaction });
  });
}
