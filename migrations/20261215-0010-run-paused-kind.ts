// Why a run was paused or cancelled, as a kind the screens put words on (src/delivery/outcome-classes.ts); the
// English text (paused_reason) stays beside it for logs, the CLI and a server's raw reply. Existing runs get
// the kind their text says (the engine's texts are fixed); any other text keeps no kind and is shown as it is.
import { DataTypes } from 'sequelize';
import type { MigrationContext } from '../src/db/migrator.js';

const KNOWN_TEXTS: readonly (readonly [kind: string, pattern: string])[] = [
  ['smtp_unavailable', 'SMTP unavailable:%'],
  ['mailing_disabled', 'Mailing disabled%'],
  ['mailing_deleted', 'Mailing deleted'],
  ['paused_by_user', 'Paused by user'],
  ['cancelled_by_user', 'Cancelled by user'],
];

export async function up({ context: { queryInterface, sequelize } }: { context: MigrationContext }): Promise<void> {
  await sequelize.transaction(async (transaction) => {
    const column = { type: DataTypes.STRING(40), allowNull: true };
    await queryInterface.addColumn('mailing_runs', 'paused_kind', column, { transaction });
    for (const [kind, pattern] of KNOWN_TEXTS) {
      await sequelize.query(
        'UPDATE mailing_runs SET paused_kind = :kind WHERE paused_kind IS NULL AND paused_reason LIKE :pattern',
        { replacements: { kind, pattern }, transaction },
      );
    }
  });
}

export async function down({ context: { sequelize } }: { context: MigrationContext }): Promise<void> {
  // Plain SQL on both: Sequelize's removeColumn rebuilds an SQLite table and loses its definition's details.
  await sequelize.query('ALTER TABLE mailing_runs DROP COLUMN paused_kind');
}
