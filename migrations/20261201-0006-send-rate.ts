// One row per SMTP server holding the next free send slot, so every process on the database shares one send
// rate (`SMTP_RATE_PER_SECOND`) for that server instead of each sending at the full rate (src/delivery/send-rate.ts).
// Times are epoch microseconds on the database's clock, so processes on machines with skewed clocks agree.
import { DataTypes } from 'sequelize';
import type { MigrationContext } from '../src/db/migrator.js';

export async function up({ context: { queryInterface, sequelize } }: { context: MigrationContext }): Promise<void> {
  await sequelize.transaction(async (transaction) => {
    await queryInterface.createTable(
      'send_rate_slots',
      {
        // host:port of the SMTP server the limit is for.
        smtp_server: { type: DataTypes.STRING(300), primaryKey: true },
        // The first slot nobody has reserved yet.
        next_slot_us: { type: DataTypes.BIGINT, allowNull: false },
        // The database's time at the last reservation, returned with it.
        reserved_at_us: { type: DataTypes.BIGINT, allowNull: false },
      },
      { transaction },
    );
  });
}

export async function down({ context: { queryInterface, sequelize } }: { context: MigrationContext }): Promise<void> {
  await sequelize.transaction(async (transaction) => {
    await queryInterface.dropTable('send_rate_slots', { transaction });
  });
}
