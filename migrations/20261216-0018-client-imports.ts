// Background CSV imports of clients: one row per uploaded file with its progress, its counts, the per-row error
// report (CSV text) and, when the whole file is refused or the import fails, the reason. The file itself waits
// on disk (UPLOAD_DIR/imports) until the import is over.
import { DataTypes } from 'sequelize';
import type { MigrationContext } from '../src/db/migrator.js';

// A fresh object per column: Sequelize writes into an attribute's definition.
const count = () => ({ type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 });

export async function up({ context: { queryInterface, sequelize } }: { context: MigrationContext }): Promise<void> {
  await sequelize.transaction(async (transaction) => {
    await queryInterface.createTable(
      'client_imports',
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        owner_id: {
          type: DataTypes.INTEGER,
          allowNull: false,
          references: { model: 'users', key: 'id' },
          onDelete: 'CASCADE',
          onUpdate: 'CASCADE',
        },
        status: { type: DataTypes.STRING(20), allowNull: false, defaultValue: 'queued' },
        file_name: { type: DataTypes.STRING(255), allowNull: false, defaultValue: '' },
        file_path: { type: DataTypes.STRING(1000), allowNull: true },
        file_bytes: { type: DataTypes.BIGINT, allowNull: false, defaultValue: 0 },
        read_bytes: { type: DataTypes.BIGINT, allowNull: false, defaultValue: 0 },
        total_rows: count(),
        imported_count: count(),
        invalid_count: count(),
        duplicate_count: count(),
        exists_count: count(),
        error_report: { type: DataTypes.TEXT, allowNull: true },
        problem_key: { type: DataTypes.STRING(100), allowNull: true },
        problem_line: { type: DataTypes.INTEGER, allowNull: true },
        started_at: { type: DataTypes.DATE, allowNull: true },
        finished_at: { type: DataTypes.DATE, allowNull: true },
        created_at: { type: DataTypes.DATE, allowNull: false },
        updated_at: { type: DataTypes.DATE, allowNull: false },
      },
      { transaction },
    );
    // The owner's imports, newest first; the start-up look for imports left queued or running.
    await queryInterface.addIndex('client_imports', ['owner_id', 'id'], { name: 'client_imports_owner', transaction });
    await queryInterface.addIndex('client_imports', ['status'], { name: 'client_imports_status', transaction });
  });
}

export async function down({ context: { queryInterface, sequelize } }: { context: MigrationContext }): Promise<void> {
  await sequelize.transaction(async (transaction) => {
    await queryInterface.dropTable('client_imports', { transaction });
  });
}
