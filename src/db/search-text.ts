// Case-insensitive search in every script, the same on SQLite and PostgreSQL.
//
// SQLite's lower() and LIKE fold ASCII only, and PostgreSQL's lower() depends on the database's collation, so the
// database never folds: a model keeps its searchable fields, folded here in JavaScript, in one stored
// `search_text` column (model hooks on create, update and bulkCreate; migration 0008 filled the rows it found),
// and a search folds its words the same way and looks for them there with LIKE. Why not the alternatives:
// full-text search (FTS5, tsvector) matches words and prefixes, not the substrings users type ("кузн", a part
// of an address); expression indexes on lower() would still fold by the database's rules. A substring LIKE is a
// scan of the owner's rows inside the database (one short column each), not in JavaScript; an index that
// serves it is laid over this same column: on PostgreSQL the clients list's index carries it, so a search reads
// the owner's index entries only (migrations 0017 and 0035; a trigram GIN cost the imports more than it saved);
// on SQLite an FTS5 trigram table picks a rare word's rows (migration 0036).
import {
  Op,
  QueryTypes,
  col,
  literal,
  where,
  type Model,
  type ModelStatic,
  type Sequelize,
  type WhereOptions,
} from 'sequelize';

/** The attribute (and `search_text` column) a searchable model keeps its folded text in. */
export const SEARCH_TEXT = 'searchText';

/**
 * The one fold of search: compatibility-normalised (NFKC: full-width letters, ligatures, decomposed accents),
 * Unicode lower-case, and the Greek final sigma as any other sigma (Unicode case folding does the same; its
 * lower-case depends on where the letter stands). Nothing more: ё and е, or accented letters, stay apart.
 */
export function foldForSearch(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/ς/g, 'σ');
}

/** The stored search text of a record: its fields folded, one a line (a search has no line breaks to span them). */
export function searchTextOf(fields: readonly (string | null | undefined)[]): string {
  return fields.map((field) => foldForSearch(field ?? '')).join('\n');
}

/**
 * The condition "the search text of `column` contains the words", or null when there are none. The words are
 * folded like the stored text and LIKE's wildcards escaped, so "a_b" finds "a_b" only (ESCAPE works the same on
 * SQLite and PostgreSQL).
 */
export function searchTextContains(sequelize: Sequelize, column: string, words: string): WhereOptions | null {
  const folded = foldForSearch(words.trim());
  if (!folded) return null;
  const pattern = sequelize.escape(`%${folded.replace(/[\\%_]/g, '\\$&')}%`);
  return where(col(column), Op.like, literal(`${pattern} ESCAPE '\\'`));
}

/** The shortest search an FTS5 trigram index can answer: shorter words have no trigram to look up. */
const TRIGRAM = 3;
/**
 * Above this many rows in the index, a search is common ("miller": a quarter of a book) and the owner's rows
 * are read in the list's order instead: the index would hand over every customer's matches, and a small
 * customer would pay for a big one's (issue 17: 3 → 32 ms).
 */
export const INDEX_MATCH_CAP = 1_000;

/**
 * On SQLite, the condition "`id` is one of the rows whose search text the trigram index `index` (an FTS5 table
 * over that column, migration 0036) finds the words in", to go beside searchTextContains: the index picks the
 * rows, the LIKE keeps its exact meaning. Null on PostgreSQL (pg_trgm serves the LIKE itself), for words
 * shorter than a trigram, and for words the index finds more than INDEX_MATCH_CAP times (one probe tells).
 * The words are one FTS5 phrase: every character is matched as it is, in order.
 */
export async function sqliteSearchIndexMatch(
  sequelize: Sequelize,
  index: string,
  words: string,
): Promise<WhereOptions | null> {
  const folded = foldForSearch(words.trim());
  if (sequelize.getDialect() !== 'sqlite' || [...folded].length < TRIGRAM) return null;
  const phrase = sequelize.escape(`"${folded.replace(/"/g, '""')}"`);
  const [probe] = await sequelize.query<{ hits: number }>(
    `SELECT count(*) AS hits FROM (SELECT 1 FROM ${index} WHERE ${index} MATCH ${phrase} LIMIT ${INDEX_MATCH_CAP})`,
    { type: QueryTypes.SELECT },
  );
  if (Number(probe?.hits ?? 0) >= INDEX_MATCH_CAP) return null;
  return literal(`id IN (SELECT rowid FROM ${index} WHERE ${index} MATCH ${phrase})`);
}

/**
 * Keeps the model's search text up to date from `fields` (attribute names) whenever one of them is saved: on
 * create and bulkCreate (every new record) and on update or save (only when a searched field changed). A record
 * loaded without every searched field cannot change one of them: that is a bug, and it throws.
 */
export function keepSearchText<M extends Model>(model: ModelStatic<M>, fields: readonly string[]): void {
  const refresh = (record: M): boolean => {
    if (!record.isNewRecord && !fields.some((field) => record.changed(field as keyof M))) return false;
    const values = fields.map((field) => record.getDataValue(field as keyof M) as string | null | undefined);
    if (!record.isNewRecord && values.some((value) => value === undefined)) {
      throw new Error(`${model.name}: a searched field changed on a record loaded without all of ${fields.join(', ')}`);
    }
    record.setDataValue(SEARCH_TEXT as keyof M, searchTextOf(values));
    return true;
  };
  model.addHook('beforeSave', (record: M, options: { fields?: string[] }) => {
    // An update names the fields it writes; the search text joins them when it changed.
    if (refresh(record) && options.fields && !options.fields.includes(SEARCH_TEXT)) options.fields.push(SEARCH_TEXT);
  });
  model.addHook('beforeBulkCreate', (records: M[]) => {
    for (const record of records) refresh(record);
  });
}
