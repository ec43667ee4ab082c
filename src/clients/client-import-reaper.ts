// Imports whose process died (kill -9, a crash, a lost machine) would show "running" for ever: once their
// heartbeat is older than CLIENT_IMPORT_STALE_SECONDS, any web process marks them failed, interrupted. Nothing of
// such an import was kept: its transaction died with its connection. The web does it for the import a page asks
// for (so whichever process answers says so), and `serve` sweeps every few seconds for the ones nobody watches,
// removing their files when they are on this machine's (or a shared) UPLOAD_DIR, and at its start the files no
// import is waiting for (a dead import's, failed by another machine).
import { readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Op, TimeoutError } from 'sequelize';
import { ClientImport } from '../db/models/index.js';
import type { Logger } from '../logger.js';
import { IMPORT_INTERRUPTED, importsRunningHere } from './client-import-progress.js';

/** The imports (all, or one) that are not over and whose heartbeat is older than `staleMs`, not run here. */
function staleWhere(staleMs: number, id?: number) {
  const before = new Date(Date.now() - staleMs);
  const here = importsRunningHere();
  return {
    status: { [Op.in]: ['queued', 'running'] },
    [Op.and]: [
      ...(id === undefined ? [] : [{ id }]),
      ...(here.length === 0 ? [] : [{ id: { [Op.notIn]: here } }]),
      { [Op.or]: [{ heartbeatAt: null }, { heartbeatAt: { [Op.lt]: before } }] },
    ],
  };
}

/** Marks failed (interrupted) the imports whose process is gone; returns how many. */
export async function reapStaleImports(staleMs: number, id?: number): Promise<number> {
  const stale = await ClientImport.findAll({ where: staleWhere(staleMs, id), attributes: ['id', 'filePath'] });
  let reaped = 0;
  for (const job of stale) {
    try {
      // The same condition again: a heartbeat written since the read keeps the import alive.
      const [updated] = await ClientImport.update(
        { status: 'failed', problemKey: IMPORT_INTERRUPTED, problemLine: null, filePath: null, finishedAt: new Date() },
        { where: staleWhere(staleMs, job.id) },
      );
      if (updated === 0) continue;
      reaped += 1;
      if (job.filePath) await rm(job.filePath, { force: true });
    } catch (error) {
      // SQLite: the write lock is held, by a live import of another process among others: not dead, look later.
      if (!(error instanceof TimeoutError)) throw error;
    }
  }
  return reaped;
}

/**
 * Removes the uploads in the folder that no queued or running import names and that nothing wrote to for
 * `staleMs` (an upload still arriving has no row yet, but its file grows); returns how many.
 */
export async function removeOrphanUploads(folder: string, staleMs: number): Promise<number> {
  const names = await readdir(folder).catch(() => [] as string[]);
  const files = names.map((name) => path.join(folder, name));
  if (files.length === 0) return 0;
  const waiting = await ClientImport.findAll({
    where: { status: { [Op.in]: ['queued', 'running'] }, filePath: { [Op.in]: files } },
    attributes: ['filePath'],
  });
  const kept = new Set(waiting.map((job) => job.filePath));
  let removed = 0;
  for (const file of files) {
    if (kept.has(file)) continue;
    const info = await stat(file).catch(() => null);
    if (!info?.isFile() || Date.now() - info.mtimeMs < staleMs) continue;
    await rm(file, { force: true });
    removed += 1;
  }
  return removed;
}

/**
 * Sweeps for dead imports at once and then every `staleSeconds` (at least 5 s), and removes the folder's
 * forgotten uploads once at the start; returns its stop function.
 */
export function startImportReaper(staleSeconds: number, folder: string, logger: Logger): () => void {
  const staleMs = staleSeconds * 1000;
  removeOrphanUploads(folder, staleMs).then(
    (count) => count > 0 && logger.warn({ count }, 'files of interrupted client imports removed'),
    (err: unknown) => logger.warn({ err }, 'could not remove the files of interrupted client imports'),
  );
  const sweep = (): void => {
    reapStaleImports(staleMs).then(
      (count) => count > 0 && logger.warn({ count }, 'client imports of a stopped process marked failed'),
      (err: unknown) => logger.warn({ err }, 'could not look for interrupted client imports'),
    );
  };
  sweep();
  const timer = setInterval(sweep, Math.max(5_000, staleMs));
  timer.unref();
  return () => clearInterval(timer);
}
