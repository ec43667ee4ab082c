// One execution of a mailing at one scheduled time, with its progress counters.
import {
  DataTypes,
  Model,
  type CreationOptional,
  type ForeignKey,
  type InferAttributes,
  type InferCreationAttributes,
  type NonAttribute,
  type Sequelize,
} from 'sequelize';
import type { Mailing } from './mailing.js';

export const RUN_STATES = ['pending', 'running', 'paused', 'finished', 'cancelled'] as const;
export type RunState = (typeof RUN_STATES)[number];

export class MailingRun extends Model<InferAttributes<MailingRun>, InferCreationAttributes<MailingRun>> {
  declare id: CreationOptional<number>;
  declare mailingId: ForeignKey<number>;
  declare scheduledAt: Date;
  declare state: CreationOptional<RunState>;
  declare totalCount: CreationOptional<number>;
  declare sentCount: CreationOptional<number>;
  declare failedCount: CreationOptional<number>;
  declare unknownCount: CreationOptional<number>;
  declare pausedReason: CreationOptional<string | null>;
  /** Why it halted, for the screens' words (src/delivery/outcome-classes.ts RUN_HALT_KINDS); the text stays beside. */
  declare pausedKind: CreationOptional<string | null>;
  declare resumeAt: CreationOptional<Date | null>;
  declare startedAt: CreationOptional<Date | null>;
  declare finishedAt: CreationOptional<Date | null>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  declare mailing?: NonAttribute<Mailing>;

  /** Deliveries of this run not yet final (pending or being sent), from the counters. */
  get pendingCount(): NonAttribute<number> {
    return this.totalCount - this.sentCount - this.failedCount - this.unknownCount;
  }

  /** Binds the model to a connection (called once per process by initModels). */
  static initModel(sequelize: Sequelize): void {
    // A fresh object per column: Sequelize writes each attribute's column name into its definition.
    const counter = () => ({ type: DataTypes.INTEGER, allowNull: false, defaultValue: 0, validate: { min: 0 } });
    MailingRun.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        scheduledAt: { type: DataTypes.DATE, allowNull: false },
        state: {
          type: DataTypes.STRING(10),
          allowNull: false,
          defaultValue: 'pending',
          validate: { isIn: [RUN_STATES] },
        },
        totalCount: counter(),
        sentCount: counter(),
        failedCount: counter(),
        unknownCount: counter(),
        pausedReason: { type: DataTypes.STRING(500), allowNull: true },
        pausedKind: { type: DataTypes.STRING(40), allowNull: true },
        resumeAt: { type: DataTypes.DATE, allowNull: true },
        startedAt: { type: DataTypes.DATE, allowNull: true },
        finishedAt: { type: DataTypes.DATE, allowNull: true },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'mailing_runs', modelName: 'MailingRun' },
    );
  }
}
