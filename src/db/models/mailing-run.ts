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

/**
 * The one rule for a new run's number: one more than the mailing's highest (`:mailingId`). Concurrent creations
 * are serialised by locking the mailing's row first (runs.ts); the unique (mailing_id, number) key backs it.
 */
export const NEXT_RUN_NUMBER = '(SELECT COALESCE(MAX(number), 0) + 1 FROM mailing_runs WHERE mailing_id = :mailingId)';

export class MailingRun extends Model<InferAttributes<MailingRun>, InferCreationAttributes<MailingRun>> {
  declare id: CreationOptional<number>;
  declare mailingId: ForeignKey<number>;
  declare scheduledAt: Date;
  /** The run's number within its mailing (1, 2, 3 …): what users call it ("Run #3"); URLs keep the id. */
  declare number: CreationOptional<number>;
  declare state: CreationOptional<RunState>;
  declare totalCount: CreationOptional<number>;
  declare sentCount: CreationOptional<number>;
  declare failedCount: CreationOptional<number>;
  declare unknownCount: CreationOptional<number>;
  /** Of the sent ones, how many bounced (hard) and how many drew a complaint afterwards (src/delivery/feedback.ts). */
  declare bouncedCount: CreationOptional<number>;
  declare complainedCount: CreationOptional<number>;
  /** When the run paused itself for its hard-bounce or complaint rate: once each, so a resumed run goes on. */
  declare bouncePausedAt: CreationOptional<Date | null>;
  declare complaintPausedAt: CreationOptional<Date | null>;
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
        number: { type: DataTypes.INTEGER, allowNull: true },
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
        bouncedCount: counter(),
        complainedCount: counter(),
        bouncePausedAt: { type: DataTypes.DATE, allowNull: true },
        complaintPausedAt: { type: DataTypes.DATE, allowNull: true },
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
    // Runs made through the model (demo data, tests) are numbered by the same rule as the engine's INSERT.
    MailingRun.beforeCreate(async (run, options) => {
      if (typeof run.number === 'number') return;
      const [rows] = await sequelize.query(`SELECT ${NEXT_RUN_NUMBER} AS n`, {
        replacements: { mailingId: run.mailingId },
        transaction: options.transaction ?? null,
      });
      run.number = Number((rows as { n: number | string }[])[0]?.n ?? 1);
    });
  }
}
