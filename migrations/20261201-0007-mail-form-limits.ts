// One row per e-mail address and per IP address that asked a form to send mail (registration, password reset,
// verification again), so every web process on the database refuses the same floods (src/accounts/mail-throttle.ts).
import { DataTypes } from 'sequelize';
import type { MigrationContext } from '../src/db/migrator.js';

export async function up({ context: { queryInterface, sequelize } }: { context: MigrationContext }): Promise<void> {
  await sequelize.transaction(async (transaction) => {
    await queryInterface.createTable(
      'mail_form_limits',
      {
        // "address:<normalised e-mail>" or "ip:<address>".
        limit_key: { type: DataTypes.STRING(400), primaryKey: true },
        // When the current counting window began, and how many e-mails were let through in it.
        window_started_at: { type: DataTypes.DATE, allowNull: false },
        sent_in_window: { type: DataTypes.INTEGER, allowNull: false },
        // The last e-mail let through (for the cooldown between two).
        last_sent_at: { type: DataTypes.DATE, allowNull: false },
      },
      { transaction },
    );
    await queryInterface.addIndex('mail_form_limits', ['last_sent_at'], { name: 'mail_form_limits_last', transaction });
  });
}

export async function down({ context: { queryInterface, sequelize } }: { context: MigrationContext }): Promise<void> {
  await sequelize.transaction(async (transaction) => {
    await queryInterface.dropTable('mail_form_limits', { transaction });
  });
}
