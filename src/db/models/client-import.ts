// A background CSV import of clients (migrations 0018, 0031): its progress, counts, heartbeat and per-row error report.
import {
  DataTypes,
  Model,
  type CreationOptional,
  type ForeignKey,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';

export const IMPORT_STATUSES = ['queued', 'running', 'done', 'failed'] as const;
export type ImportStatus = (typeof IMPORT_STATUSES)[number];

export class ClientImport extends Model<InferAttributes<ClientImport>, InferCreationAttributes<ClientImport>> {
  declare id: CreationOptional<number>;
  declare ownerId: ForeignKey<number>;
  declare status: CreationOptional<ImportStatus>;
  declare fileName: CreationOptional<string>;
  /** Where the upload waits until the import is over (then null: the file is removed). */
  declare filePath: CreationOptional<string | null>;
  declare fileBytes: CreationOptional<number>;
  declare readBytes: CreationOptional<number>;
  declare totalRows: CreationOptional<number>;
  declare importedCount: CreationOptional<number>;
  declare invalidCount: CreationOptional<number>;
  declare duplicateCount: CreationOptional<number>;
  declare existsCount: CreationOptional<number>;
  /** The skipped rows as CSV (row, email, reason), once the import is over. */
  declare errorReport: CreationOptional<string | null>;
  /** Why the whole file was refused or the import failed: an i18n key (and the line it names). */
  declare problemKey: CreationOptional<string | null>;
  declare problemLine: CreationOptional<number | null>;
  declare startedAt: CreationOptional<Date | null>;
  declare finishedAt: CreationOptional<Date | null>;
  /** Written by the process running the import (migration 0031); a stale one means that process is gone. */
  declare heartbeatAt: CreationOptional<Date | null>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  /** Binds the model to a connection (called once per process by initModels). */
  static initModel(sequelize: Sequelize): void {
    // A fresh object per column: Sequelize writes into an attribute's definition.
    const count = () => ({ type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 });
    // BIGINT comes back from PostgreSQL as text: read as a number (files are far below 2^53 bytes).
    const bytes = (name: 'fileBytes' | 'readBytes') => ({
      type: DataTypes.BIGINT,
      allowNull: false,
      defaultValue: 0,
      get(this: ClientImport): number {
        return Number(this.getDataValue(name));
      },
    });
    ClientImport.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        status: {
          type: DataTypes.STRING(20),
          allowNull: false,
          defaultValue: 'queued',
          validate: { isIn: [IMPORT_STATUSES] },
        },
        fileName: { type: DataTypes.STRING(255), allowNull: false, defaultValue: '' },
        filePath: { type: DataTypes.STRING(1000), allowNull: true },
        fileBytes: bytes('fileBytes'),
        readBytes: bytes('readBytes'),
        totalRows: count(),
        importedCount: count(),
        invalidCount: count(),
        duplicateCount: count(),
        existsCount: count(),
        errorReport: { type: DataTypes.TEXT, allowNull: true },
        problemKey: { type: DataTypes.STRING(100), allowNull: true },
        problemLine: { type: DataTypes.INTEGER, allowNull: true },
        startedAt: { type: DataTypes.DATE, allowNull: true },
        finishedAt: { type: DataTypes.DATE, allowNull: true },
        heartbeatAt: { type: DataTypes.DATE, allowNull: true, defaultValue: DataTypes.NOW },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'client_imports', modelName: 'ClientImport' },
    );
  }
}
