// Adding many addresses to the suppression list from a CSV file (the clients' format: an `email` column, read by
// the clients' CSV reader). Every row is checked first; a file with any bad row adds nothing and says which rows
// are wrong and why. A good file goes in whole, in one transaction: an address listed already, or repeated in the
// file, is counted, not an error.
import { boundDatabase, Suppression, type User } from '../db/models/index.js';
import { emailField } from '../forms/email-field.js';
import { stopSuppressedDeliveries } from '../delivery/suppressed-deliveries.js';
import { suppressAddress } from '../delivery/suppressions.js';
import { decodeCsv, readClientsCsv, type CsvProblem } from '../clients/clients-csv.js';

/** A row of the file that cannot be added: its line, what it holds, and why (an i18n key). */
export interface RowError {
  row: number;
  email: string;
  error: string;
}

/** What an upload did: added every new address, or nothing (a problem with the file, or its bad rows). */
export type ImportResult =
  { ok: true; added: number; listed: number; repeated: number } | { ok: false; problem: CsvProblem; rows: RowError[] };

/** Rows shown of a file's errors (the count says how many more). */
export const ROW_ERRORS_SHOWN = 100;

/** Reads the file's addresses: the lower-cased good ones, or every bad row. */
function checkedAddresses(
  bytes: Buffer,
): { addresses: string[]; repeated: number } | { problem: CsvProblem; rows: RowError[] } {
  const decoded = decodeCsv(bytes);
  if (!decoded.ok) return { problem: decoded.problem, rows: [] };
  const read = readClientsCsv(decoded.text);
  if (!read.ok) return { problem: read.problem, rows: [] };
  const addresses = new Set<string>();
  const bad: RowError[] = [];
  let repeated = 0;
  for (const row of read.rows) {
    const parsed = emailField().safeParse(row.email);
    if (!parsed.success)
      bad.push({ row: row.row, email: row.email, error: parsed.error.issues[0]?.message ?? 'forms.invalid' });
    else if (addresses.has(parsed.data.toLowerCase())) repeated += 1;
    else addresses.add(parsed.data.toLowerCase());
  }
  if (bad.length > 0)
    return { problem: { key: 'suppressions.import.badRows', params: { count: bad.length } }, rows: bad };
  return { addresses: [...addresses], repeated };
}

/** Adds a CSV file's addresses to the owner's list (reason `manual`, source `csv`): all of them, or none. */
export async function importSuppressions(owner: Pick<User, 'id'>, bytes: Buffer): Promise<ImportResult> {
  const checked = checkedAddresses(bytes);
  if ('problem' in checked)
    return { ok: false, problem: checked.problem, rows: checked.rows.slice(0, ROW_ERRORS_SHOWN) };
  const sequelize = boundDatabase();
  return sequelize.transaction(async (transaction) => {
    const before = await Suppression.count({ where: { ownerId: owner.id }, transaction });
    for (const address of checked.addresses)
      await suppressAddress(sequelize, { ownerId: owner.id, address, reason: 'manual', source: 'csv' }, transaction);
    const added = (await Suppression.count({ where: { ownerId: owner.id }, transaction })) - before;
    await stopSuppressedDeliveries(sequelize, owner.id, checked.addresses, transaction);
    return { ok: true, added, listed: checked.addresses.length - added, repeated: checked.repeated };
  });
}
