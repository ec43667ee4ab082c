// A stored, folded search text on clients and users (src/db/search-text.ts says why): the column, and the rows
// already there filled, a batch at a time (one SELECT and one UPDATE per batch, the same SQL on both databases).
import { DataTypes, QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import type { MigrationContext } from '../src/db/migrator.js';
import { searchTextOf } from '../src/db/search-text.js';

/** Each table with search text, and the columns folded into it (in the models' order). */
const SEARCHED = [
  { table: 'clients', columns: ['email', 'full_name', 'comment'] },
  { table: 'users', columns: ['email', 'full_name'] },
] as const;

type Row = { id: number | string } & Record<string, string | null>;

/** A table with search text and the columns folded into it, in its model's order. */
export interface SearchedTable {
  table: string;
  columns: readonly string[];
}

/** Fills every row's search_text from its fields, keyset by id, `batch` rows per round trip. */
export function fillSearchText(sequelize: Sequelize, transaction?: Transaction, batch = 500): Promise<void> {
  return fillSearchTextOf(sequelize, SEARCHED, transaction, batch);
}

/** Fills search_text in these tables (later migrations that add search text to a table reuse it). */
export async function fillSearchTextOf(
  sequelize: Sequelize,
  searched: readonly SearchedTable[],
  transaction?: Transaction,
  batch = 500,
): Promise<void> {
  for (const { table, columns } of searched) {
    let after = 0;
    for (;;) {
      const rows = await sequelize.query<Row>(
        `SELECT id, ${columns.join(', ')} FROM ${table} WHERE id > :after ORDER BY id LIMIT :batch`,
        { replacements: { after, batch }, type: QueryTypes.SELECT, transaction },
      );
      if (rows.length === 0) break;
      await writeBatch(sequelize, table, rows, columns, transaction);
      after = Number(rows[rows.length - 1]?.id);
      if (rows.length < batch) break;
    }
  }
}

async function writeBatch(
  sequelize: Sequelize,
  table: string,
  rows: Row[],
  columns: readonly string[],
  transaction?: Transaction,
): Promise<void> {
  const replacements: Record<string, number | string> = {};
  const cases = rows.map((row, i) => {
    replacements[`id${i}`] = Number(row.id);
    replacements[`text${i}`] = searchTextOf(columns.map((column) => row[column]));
    return `WHEN :id${i} THEN :text${i}`;
  });
  const ids = rows.map((_, i) => `:id${i}`).join(', ');
  await sequelize.query(`UPDATE ${table} SET search_text = CASE id ${cases.join(' ')} END WHERE id IN (${ids})`, {
    replacements,
    transaction,
  });
}

export async function up({ context: { queryInterface, sequelize } }: { context: MigrationContext }): Promise<void> {
  await sequelize.transaction(async (transaction) => {
    for (const { table } of SEARCHED) {
      const column = { type: DataTypes.TEXT, allowNull: false, defaultValue: '' };
      await queryInterface.addColumn(table, 'search_text', column, { transaction });
    }
    await fillSearchText(sequelize, transaction);
  });
}

export async function down({ context: { sequelize } }: { context: MigrationContext }): Promise<void> {
  await sequelize.transaction(async (transaction) => {
    // DROP COLUMN (SQLite 3.35 and later) leaves the table and its indexes as they are, on both databases.
    for (const { table } of SEARCHED)
      await sequelize.query(`ALTER TABLE ${table} DROP COLUMN search_text`, { transaction });
  });
}
