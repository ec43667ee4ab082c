// What the deliverability screens read: each run's hard bounces and complaints (kept by refreshRunCounters beside
// the other counters, back-filled from the log), when a run was paused for its bounce or complaint rate (so that a
// run a person resumed is not paused again for the same reason), the suppression list's page order per owner and
// for everyone, and the clients that unsubscribed before the list existed, put on it (unsubscribes feed it now).
import type { MigrationContext } from '../src/db/migrator.js';

const RUN_COLUMNS = [
  'bounced_count INTEGER NOT NULL DEFAULT 0',
  'complained_count INTEGER NOT NULL DEFAULT 0',
  'bounce_paused_at TIMESTAMP WITH TIME ZONE',
  'complaint_paused_at TIMESTAMP WITH TIME ZONE',
];

export async function up({ context: { queryInterface, sequelize } }: { context: MigrationContext }): Promise<void> {
  const sqlite = sequelize.getDialect() === 'sqlite';
  await sequelize.transaction(async (transaction) => {
    for (const column of RUN_COLUMNS) {
      // Plain ADD COLUMN on both (no key): SQLite adds it in place; it has no TIMESTAMP WITH TIME ZONE type name.
      const definition = sqlite ? column.replace('TIMESTAMP WITH TIME ZONE', 'DATETIME') : column;
      await sequelize.query(`ALTER TABLE mailing_runs ADD COLUMN ${definition}`, { transaction });
    }
    for (const status of ['bounced', 'complained'])
      await sequelize.query(
        `UPDATE mailing_runs SET ${status}_count =
           (SELECT COUNT(*) FROM deliveries d WHERE d.run_id = mailing_runs.id AND d.status = :status)
         WHERE EXISTS (SELECT 1 FROM deliveries d WHERE d.run_id = mailing_runs.id AND d.status = :status)`,
        { replacements: { status }, transaction },
      );
    // The list's pages: newest first, for one owner and across all of them (deferred-page.ts reads these alone).
    await queryInterface.addIndex('suppressions', ['owner_id', 'created_at', 'id'], {
      name: 'suppressions_owner_created',
      transaction,
    });
    await queryInterface.addIndex('suppressions', ['created_at', 'id'], { name: 'suppressions_created', transaction });
    await sequelize.query(
      `INSERT INTO suppressions (owner_id, address, reason, source, delivery_id, diagnostic, created_at)
       SELECT owner_id, email, 'unsubscribed', 'unsubscribe', NULL, NULL, unsubscribed_at
       FROM clients WHERE unsubscribed_at IS NOT NULL
       ON CONFLICT (owner_id, address) DO NOTHING`,
      { transaction },
    );
  });
}

export async function down({ context: { queryInterface, sequelize } }: { context: MigrationContext }): Promise<void> {
  await sequelize.transaction(async (transaction) => {
    await sequelize.query(`DELETE FROM suppressions WHERE source = 'unsubscribe'`, { transaction });
    await queryInterface.removeIndex('suppressions', 'suppressions_created', { transaction });
    await queryInterface.removeIndex('suppressions', 'suppressions_owner_created', { transaction });
    // Plain DROP COLUMN on both dialects: Sequelize's SQLite removeColumn rebuilds the table.
    for (const column of RUN_COLUMNS.map((definition) => definition.split(' ')[0]).reverse())
      await sequelize.query(`ALTER TABLE mailing_runs DROP COLUMN ${column}`, { transaction });
  });
}
