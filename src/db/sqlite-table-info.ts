// Sequelize's SQLite driver runs `PRAGMA table_info` on every table a model query reads, before the query itself and
// on every query (it keeps the column types only for that one query, to parse dates and booleans): the signed-in
// mailings list made nine statements where it needed three (issue 17). A table's columns change only with the
// schema, so each answer is kept per database file until a statement that changes the schema runs in this process
// (migrations run through the same connections). Another process's migration needs a restart anyway: the models
// this process loaded describe the old schema too.

const TABLE_INFO = /^PRAGMA table_info\(`[^`]+`\)$/;
const SCHEMA_CHANGE = /^\s*(?:CREATE|ALTER|DROP)\b/i;

type Rows = unknown[];
type Answer = (this: unknown, err: Error | null, rows: Rows) => void;

const remembered = new Map<string, Map<string, Rows>>();

/** True for files whose answers can be kept: one database shared by every connection that names it. */
function shared(filename: string): boolean {
  return filename !== '' && filename !== ':memory:' && !filename.startsWith('file::memory:');
}

/** Forgets the file's kept answers when a statement changes its schema (any statement passes through here). */
export function noteStatement(filename: string, sql: string): void {
  if (SCHEMA_CHANGE.test(sql)) remembered.delete(filename);
}

/**
 * For a `PRAGMA table_info` of a shared file: answers it from what was kept (returns undefined), or returns the
 * answer to run it with, which keeps the rows. Any other statement gets its own answer back unchanged.
 */
export function tableInfoAnswer(filename: string, sql: string, answer: Answer): Answer | undefined {
  if (!shared(filename) || !TABLE_INFO.test(sql)) return answer;
  const rows = remembered.get(filename)?.get(sql);
  if (rows) {
    // Each caller gets its own copies, and later than this call, as it would from SQLite.
    const copies = rows.map((row) => ({ ...(row as object) }));
    process.nextTick(() => answer(null, copies));
    return undefined;
  }
  return function keep(this: unknown, err, fresh) {
    if (!err) {
      let file = remembered.get(filename);
      if (!file) remembered.set(filename, (file = new Map<string, Rows>()));
      file.set(
        sql,
        fresh.map((row) => ({ ...(row as object) })),
      );
    }
    answer.call(this, err, fresh);
  };
}
