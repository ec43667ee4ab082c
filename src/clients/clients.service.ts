// Client rules: every query is scoped to the owner; an e-mail appears once per owner; an import saves all of
// its new rows or none of them.
import { isUniqueViolation } from '../db/unique-violation.js';
import { Op, type OrderItem, type Sequelize, type Transaction, type WhereOptions } from 'sequelize';
import { boundDatabase, Client, type User } from '../db/models/index.js';
import { normaliseEmail } from '../db/models/email.js';
import { findPage } from '../db/deferred-page.js';
import { searchTextContains, sqliteSearchIndexMatch } from '../db/search-text.js';
import { stopClientDeliveries } from '../delivery/runs.js';
import { selectRows, toDate } from '../delivery/sql.js';
import { found, ValidationError } from '../errors.js';
import type { ClientInput } from './client.form.js';
import {
  checkRows,
  readClientsCsv,
  summarise,
  type CheckedRow,
  type CsvProblem,
  type CsvRow,
  type ExportedClient,
  type ImportSummary,
} from './clients-csv.js';

/** The clients list's order (the index clients_owner_email, migrations 0017 and 0035, holds it and the search text after the owner). */
const CLIENT_ORDER: OrderItem[] = [
  ['email', 'ASC'],
  ['id', 'ASC'],
];

/** Rows per INSERT statement of an import (all of them inside one transaction). */
export const IMPORT_BATCH = 500;

/** The owner's clients matching the search (e-mail, name or comment, any case in any script), by e-mail. */
export async function listClients(
  owner: User,
  search: string,
  page: { offset: number; limit: number },
): Promise<Client[]> {
  return findPage(Client, { where: await clientsOf(owner, search), order: CLIENT_ORDER, ...page });
}

/**
 * How many of the owner's clients match the search (for the pager). The whole book's count is read from
 * client_counts, which triggers keep in the statement that inserts or deletes a client (migration 0033), so every
 * page costs a few rows' read instead of counting the book; a search is counted.
 */
export async function countClients(owner: User, search: string): Promise<number> {
  if (searchTextContains(boundDatabase(), 'search_text', search))
    return Client.count({ where: await clientsOf(owner, search) });
  return keptClientCount(owner.id);
}

/** The owner's clients as the triggers counted them (the sum of the connections' shards). */
export async function keptClientCount(ownerId: number): Promise<number> {
  const [row] = await selectRows<{ n: number | string | null }>(
    boundDatabase(),
    'SELECT SUM(n) AS n FROM client_counts WHERE owner_id = :ownerId',
    { ownerId },
  );
  return Number(row?.n ?? 0);
}

/** One of the owner's clients; someone else's id is a 404. */
export function findClient(owner: User, id: number): Promise<Client> {
  return found(Client.findOne({ where: { id, ownerId: owner.id } }));
}

/** Any customer's client by id, for a staff door gated by the permission map (the back office acts as its owner). */
export function findAnyClient(id: number): Promise<Client> {
  return found(Client.findByPk(id));
}

/** Adds a client; an e-mail already in the owner's book is a field error. */
export async function createClient(owner: User, input: ClientInput): Promise<Client> {
  await ensureEmailFree(owner, input.email);
  return savingEmail(() => Client.create({ ownerId: owner.id, ...input }));
}

/** Changes a client; the e-mail may not become another of the owner's clients'. */
export async function updateClient(owner: User, id: number, input: ClientInput): Promise<Client> {
  const client = await findClient(owner, id);
  await ensureEmailFree(owner, input.email, client.id);
  return savingEmail(() => client.update(input));
}

/**
 * Deletes a client: mailings lose the recipient, its deliveries still waiting in runs under way are stopped,
 * and the delivery log keeps its rows (with the address and the client's id as they were).
 */
export async function deleteClient(owner: User, id: number): Promise<void> {
  const client = await findClient(owner, id);
  const sequelize = boundDatabase();
  await sequelize.transaction(async (transaction) => {
    await stopClientDeliveries(
      sequelize,
      client.id,
      { errorClass: 'client_deleted', reply: 'Not sent: the client was deleted' },
      transaction,
    );
    await client.destroy({ transaction });
  });
}

/**
 * Every client of the owner, by e-mail, for the CSV export: plain rows (no model instances), a chunk per round
 * trip, keyset on (e-mail, id) through the list's index, so the whole book is never in memory at once.
 */
export async function* clientChunks(owner: User, size = 1000): AsyncGenerator<ExportedClient[]> {
  const sequelize = boundDatabase();
  let last: { email: string; id: number } | null = null;
  for (;;) {
    const sql = clientChunkSql(last !== null);
    const records: ClientRecord[] = await selectRows<ClientRecord>(sequelize, sql, {
      ownerId: owner.id,
      size,
      ...last,
    });
    if (records.length > 0) yield records.map(exportedClient);
    const final = records[records.length - 1];
    if (!final || records.length < size) return;
    last = { email: final.email, id: Number(final.id) };
  }
}

/**
 * One chunk of the export after the last row sent: a row-value comparison, which both databases turn into a range
 * of the index on (owner_id, email, id). Spelled `email > … OR (email = … AND id > …)`, PostgreSQL read the
 * owner's clients from the first one again for every chunk (a million-row export slowed quadratically).
 */
export function clientChunkSql(afterLast: boolean): string {
  return `SELECT id, email, full_name, comment, unsubscribed_at FROM clients WHERE owner_id = :ownerId
    ${afterLast ? 'AND (email, id) > (:email, :id)' : ''} ORDER BY email, id LIMIT :size`;
}

interface ClientRecord {
  id: number | string;
  email: string;
  full_name: string;
  comment: string;
  unsubscribed_at: unknown;
}

function exportedClient(record: ClientRecord): ExportedClient {
  const { email, full_name: fullName, comment } = record;
  return { email, fullName, comment, unsubscribedAt: toDate(record.unsubscribed_at) };
}

export type ImportCheck = { ok: true; rows: CheckedRow[]; summary: ImportSummary } | { ok: false; problem: CsvProblem };
export type ImportResult = { ok: true; imported: number; summary: ImportSummary } | { ok: false; problem: CsvProblem };

/** The import problem when the book changed under a commit (a concurrent insert won the unique index). */
export const IMPORT_CHANGED = 'clients.import.changed';

/** Reads and checks a CSV against the owner's book without saving anything: the preview. */
export async function checkImport(owner: User, text: string): Promise<ImportCheck> {
  const read = readClientsCsv(text);
  if (!read.ok) return read;
  const rows = checkRows(read.rows, await existingEmails(owner, read.rows));
  return { ok: true, rows, summary: summarise(rows) };
}

/** Checks the CSV again and inserts its new rows in one transaction: if any insert fails, none is kept. */
export async function importClients(sequelize: Sequelize, owner: User, text: string): Promise<ImportResult> {
  const read = readClientsCsv(text);
  if (!read.ok) return read;
  try {
    return await sequelize.transaction(async (transaction) => {
      const rows = checkRows(read.rows, await existingEmails(owner, read.rows, transaction));
      const fresh = rows.flatMap((row) => (row.status === 'new' && row.input ? [row.input] : []));
      for (let start = 0; start < fresh.length; start += IMPORT_BATCH) {
        const batch = fresh.slice(start, start + IMPORT_BATCH).map((input) => ({ ownerId: owner.id, ...input }));
        await Client.bulkCreate(batch, { transaction, validate: true });
      }
      return { ok: true as const, imported: fresh.length, summary: summarise(rows) };
    });
  } catch (error) {
    if (isUniqueViolation(error)) return { ok: false, problem: { key: IMPORT_CHANGED } };
    throw error;
  }
}

async function existingEmails(owner: User, rows: CsvRow[], transaction?: Transaction): Promise<Set<string>> {
  const emails = [...new Set(rows.map((row) => normaliseEmail(row.email)).filter(Boolean))];
  if (emails.length === 0) return new Set();
  const found = await Client.findAll({
    attributes: ['email'],
    where: { ownerId: owner.id, email: emails },
    transaction,
  });
  return new Set(found.map((client) => client.email));
}

async function clientsOf(owner: User, search: string): Promise<WhereOptions<Client>> {
  const sequelize = boundDatabase();
  const match = searchTextContains(sequelize, 'search_text', search);
  if (!match) return { ownerId: owner.id };
  // On SQLite the trigram index (migration 0036) finds a rare search's rows first; the LIKE decides.
  const indexed = await sqliteSearchIndexMatch(sequelize, 'clients_search', search);
  return { ownerId: owner.id, [Op.and]: indexed ? [indexed, match] : [match] };
}

async function ensureEmailFree(owner: User, email: string, exceptId?: number): Promise<void> {
  const clash = await Client.findOne({
    attributes: ['id'],
    where: { ownerId: owner.id, email: normaliseEmail(email), ...(exceptId ? { id: { [Op.ne]: exceptId } } : {}) },
  });
  if (clash) throw new ValidationError({ email: 'forms.emailTaken' });
}

// The pre-check can lose a race with another request: the unique index has the last word, with the same error.
async function savingEmail<T>(save: () => Promise<T>): Promise<T> {
  try {
    return await save();
  } catch (error) {
    if (isUniqueViolation(error)) throw new ValidationError({ email: 'forms.emailTaken' });
    throw error;
  }
}
