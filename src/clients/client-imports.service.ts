// Background imports of clients, scoped to their owner: queued with the stored upload, run by the job
// (client-import-job.ts) in this process, read back by any process from their row (progress written by the running
// process; an import whose process died is marked failed as it is read), their errors as rows.
import { rm } from 'node:fs/promises';
import type { Sequelize } from 'sequelize';
import { ClientImport, type User } from '../db/models/index.js';
import { found } from '../errors.js';
import type { Logger } from '../logger.js';
import { startClientImport } from './client-import-job.js';
import { liveProgress, type ImportProgress } from './client-import-progress.js';
import { reapStaleImports } from './client-import-reaper.js';

/** The stored upload an import is made from (multer's file on disk). */
export interface StoredUpload {
  path: string;
  originalname: string;
  size: number;
}

/** What the progress page shows: the row, with the counts of this moment while it runs. */
export interface ImportView extends ImportProgress {
  id: number;
  status: ClientImport['status'];
  fileName: string;
  fileBytes: number;
  percent: number;
  problemKey: string | null;
  problemLine: number | null;
  skippedCount: number;
  hasErrors: boolean;
  finished: boolean;
}

/** One skipped row of the report: its number in the file, the field, the reason's i18n key, the e-mail as written. */
export interface ImportErrorRow {
  row: number;
  field: string;
  key: string;
  email: string;
}

/** Records the upload as a queued import of the owner's and starts it in the background. */
export async function queueClientImport(
  sequelize: Sequelize,
  owner: User,
  upload: StoredUpload,
  logger?: Logger,
): Promise<ClientImport> {
  const job = await ClientImport.create({
    ownerId: owner.id,
    fileName: upload.originalname.slice(0, 255),
    filePath: upload.path,
    fileBytes: upload.size,
  });
  void startClientImport(sequelize, job.id, logger);
  return job;
}

/**
 * One of the owner's imports (someone else's id is a 404), as it stands: one not over whose heartbeat is older
 * than `staleMs` is first marked failed, interrupted (its process is gone).
 */
export async function findClientImport(owner: User, id: number, staleMs: number): Promise<ClientImport> {
  const read = () =>
    found(ClientImport.findOne({ where: { id, ownerId: owner.id }, attributes: { exclude: ['errorReport'] } }));
  const job = await read();
  if (job.status !== 'queued' && job.status !== 'running') return job;
  return (await reapStaleImports(staleMs, id)) > 0 ? read() : job;
}

/** The import as the page shows it: its row, or on SQLite the running counts of the job when it runs here. */
export function viewOfImport(job: ClientImport): ImportView {
  const live = liveProgress(job.id);
  const counts: ImportProgress = live ?? job;
  const finished = job.status === 'done' || job.status === 'failed';
  const skippedCount = counts.invalidCount + counts.duplicateCount + counts.existsCount;
  const read = finished ? job.fileBytes : counts.readBytes;
  return {
    id: job.id,
    status: job.status,
    fileName: job.fileName,
    fileBytes: job.fileBytes,
    readBytes: counts.readBytes,
    totalRows: counts.totalRows,
    importedCount: counts.importedCount,
    invalidCount: counts.invalidCount,
    duplicateCount: counts.duplicateCount,
    existsCount: counts.existsCount,
    percent: job.fileBytes > 0 ? Math.min(100, Math.floor((read * 100) / job.fileBytes)) : 100,
    problemKey: job.problemKey,
    problemLine: job.problemLine,
    skippedCount,
    hasErrors: job.status === 'done' && skippedCount > 0,
    finished,
  };
}

/** The owner's import's skipped rows, for the error report's download (a 404 for someone else's). */
export async function* importErrorRows(owner: User, id: number, size = 5000): AsyncGenerator<ImportErrorRow[]> {
  const job = await found(
    ClientImport.findOne({ where: { id, ownerId: owner.id, status: 'done' }, attributes: ['errorReport'] }),
  );
  const lines = (job.errorReport ?? '').split('\n').filter(Boolean);
  for (let start = 0; start < lines.length; start += size) {
    yield lines.slice(start, start + size).map((line) => {
      const [row, field, key, email] = JSON.parse(line) as [number, string, string, string];
      return { row, field, key, email };
    });
  }
}

/** Removes an upload that will not be imported (a refused form). */
export async function discardUpload(upload: StoredUpload | undefined): Promise<void> {
  if (upload?.path) await rm(upload.path, { force: true });
}
