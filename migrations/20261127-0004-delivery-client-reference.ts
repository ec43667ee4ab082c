// The delivery log keeps the id of the client it was written for as a plain reference, without a foreign key
// or an index of its own. The log copies the recipient's address and name when a run is created, so it never
// needs the client row; what the key did was clear the id when a client was deleted, and for that every
// delivery paid a check when its run was created and an index entry at each of its three writes (on
// PostgreSQL a third of the time to create a run, and a sixth of the database's CPU while it sends).
// Deleting or unsubscribing a client now stops its deliveries still waiting in runs under way
// (`stopClientDeliveries`, which looks in those runs only); retries skip clients gone or unsubscribed.
// SQLite cannot drop a column's constraint, so there the table is rebuilt with the same columns and indexes.
import type { Sequelize, Transaction } from 'sequelize';
import type { MigrationContext } from '../src/db/migrator.js';

const CLIENT_REFERENCE = ' REFERENCES `clients` (`id`) ON DELETE SET NULL ON UPDATE CASCADE';

/** Rebuilds SQLite's deliveries table from its own definition, changed by `change`, keeping its indexes. */
async function rebuildSqliteTable(
  sequelize: Sequelize,
  transaction: Transaction,
  change: (definition: string) => string,
  indexesToDrop: string[],
): Promise<void> {
  const [rows] = (await sequelize.query(
    "SELECT type, name, sql FROM sqlite_master WHERE tbl_name = 'deliveries' AND sql IS NOT NULL",
    { transaction },
  )) as [{ type: string; name: string; sql: string }[], unknown];
  const table = rows.find((row) => row.type === 'table');
  if (!table) throw new Error('the deliveries table is missing');
  const definition = change(table.sql);
  if (definition === table.sql) throw new Error('the deliveries table does not have the expected definition');
  const indexes = rows.filter((row) => row.type === 'index' && !indexesToDrop.includes(row.name));
  const run = (sql: string): Promise<unknown> => sequelize.query(sql, { transaction });
  await run(definition.replace(/^CREATE TABLE [`"]?deliveries[`"]?/, 'CREATE TABLE deliveries_rebuilt'));
  await run('INSERT INTO deliveries_rebuilt SELECT * FROM deliveries');
  // AUTOINCREMENT never reuses an id, not even a deleted row's: the new table continues the old sequence.
  await run("DELETE FROM sqlite_sequence WHERE name = 'deliveries_rebuilt'");
  await run(
    "INSERT INTO sqlite_sequence (name, seq) SELECT 'deliveries_rebuilt', seq FROM sqlite_sequence WHERE name = 'deliveries'",
  );
  await run('DROP TABLE deliveries');
  await run('ALTER TABLE deliveries_rebuilt RENAME TO deliveries');
  for (const index of indexes) await run(index.sql);
}

export async function up({ context: { queryInterface, sequelize } }: { context: MigrationContext }): Promise<void> {
  await sequelize.transaction(async (transaction) => {
    if (sequelize.getDialect() === 'sqlite') {
      await rebuildSqliteTable(sequelize, transaction, (sql) => sql.replace(CLIENT_REFERENCE, ''), [
        'deliveries_client',
      ]);
      return;
    }
    await sequelize.query('ALTER TABLE deliveries DROP CONSTRAINT deliveries_client_id_fkey', { transaction });
    await queryInterface.removeIndex('deliveries', 'deliveries_client', { transaction });
  });
}

export async function down({ context: { queryInterface, sequelize } }: { context: MigrationContext }): Promise<void> {
  await sequelize.transaction(async (transaction) => {
    // A foreign key cannot point at clients deleted since: those references are cleared, as the key would have.
    await sequelize.query(
      'UPDATE deliveries SET client_id = NULL WHERE client_id IS NOT NULL AND client_id NOT IN (SELECT id FROM clients)',
      { transaction },
    );
    if (sequelize.getDialect() === 'sqlite') {
      await rebuildSqliteTable(
        sequelize,
        transaction,
        (sql) => sql.replace('`client_id` INTEGER,', `\`client_id\` INTEGER${CLIENT_REFERENCE},`),
        [],
      );
    } else {
      await sequelize.query(
        'ALTER TABLE deliveries ADD CONSTRAINT deliveries_client_id_fkey FOREIGN KEY (client_id) REFERENCES clients (id) ON DELETE SET NULL ON UPDATE CASCADE',
        { transaction },
      );
    }
    await queryInterface.addIndex('deliveries', ['client_id'], { name: 'deliveries_client', transaction });
  });
}
