// One row per place of a destination group's concurrency that some process holds: the group, the place's number
// (0 to the group's concurrency − 1), the process holding it and until when (epoch milliseconds by the database's
// clock). A process takes a free or expired place with one conditional upsert, renews its places while it sends
// and deletes them when it no longer needs them; a process killed outright loses its places when their leases run
// out. So every process on the database together keeps a group to its concurrency
// (src/delivery/destination-slots.ts).
import { DataTypes } from 'sequelize';
import type { MigrationContext } from '../src/db/migrator.js';

export async function up({ context: { queryInterface, sequelize } }: { context: MigrationContext }): Promise<void> {
  await sequelize.transaction(async (transaction) => {
    await queryInterface.createTable(
      'destination_slots',
      {
        // The destination group, as pacing-settings.ts names it.
        group_name: { type: DataTypes.STRING(300), primaryKey: true },
        // The place's number within the group's concurrency.
        slot: { type: DataTypes.INTEGER, primaryKey: true },
        // The worker holding it (its id: host, pid, random).
        holder: { type: DataTypes.STRING(200), allowNull: false },
        // The place is free again after this instant (epoch milliseconds, the database's clock).
        expires_at_ms: { type: DataTypes.BIGINT, allowNull: false },
      },
      { transaction },
    );
    await queryInterface.addIndex('destination_slots', ['holder'], {
      name: 'destination_slots_holder',
      transaction,
    });
  });
}

export async function down({ context: { queryInterface, sequelize } }: { context: MigrationContext }): Promise<void> {
  await sequelize.transaction(async (transaction) => {
    await queryInterface.dropTable('destination_slots', { transaction });
  });
}
