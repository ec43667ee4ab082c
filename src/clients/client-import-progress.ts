// How an import under way tells every process how far it has come and that it is alive. On PostgreSQL the process
// running it writes the counts and `heartbeat_at` to its `client_imports` row every quarter of a second, on a pool
// connection outside the import's transaction (which touches that row only at its end), so any web process reads
// them from the row. On SQLite the import's transaction holds the database's one write lock until it commits, so
// nothing can be written beside it: the counts are shown from this process's memory (SQLite runs one serving
// process), and a live import's lock is what keeps another process from failing it (client-import-reaper.ts).
import { Op, type Sequelize } from 'sequelize';
import { ClientImport } from '../db/models/index.js';
import { isPostgres } from '../delivery/sql.js';
import type { Logger } from '../logger.js';

/** The problem of an import whose process stopped (killed, or shut down) before it was over. */
export const IMPORT_INTERRUPTED = 'clientImports.interrupted';

/** How often the running process writes its progress and heartbeat (PostgreSQL). */
export const PROGRESS_INTERVAL_MS = 250;

/** How far an import under way has come. */
export interface ImportProgress {
  readBytes: number;
  totalRows: number;
  importedCount: number;
  invalidCount: number;
  duplicateCount: number;
  existsCount: number;
}

/** Writes an import's progress while it runs; `lost` turns true once another process took it for dead. */
export interface ProgressReporter {
  readonly progress: ImportProgress;
  readonly lost: boolean;
  /** Stops writing (waits for a write under way), before the import's last statement touches the row. */
  stop(): Promise<void>;
  /** Forgets the import here, once its row says how it ended. */
  release(): void;
}

interface Running {
  progress: ImportProgress;
  /** True when no other process can read this progress (SQLite): the page takes it from here. */
  fromMemory: boolean;
}

const runningHere = new Map<number, Running>();

/** True while this process runs the import (a process never takes its own import for dead). */
export function runsHere(id: number): boolean {
  return runningHere.has(id);
}

/** The ids of the imports this process runs. */
export function importsRunningHere(): number[] {
  return [...runningHere.keys()];
}

/** The progress to show from this process's memory (SQLite only; elsewhere the row is read). */
export function liveProgress(id: number): ImportProgress | undefined {
  const running = runningHere.get(id);
  return running?.fromMemory ? running.progress : undefined;
}

function emptyProgress(): ImportProgress {
  return { readBytes: 0, totalRows: 0, importedCount: 0, invalidCount: 0, duplicateCount: 0, existsCount: 0 };
}

/** Starts reporting a running import's progress (null when this process already runs it). */
export function reportProgress(sequelize: Sequelize, id: number, logger?: Logger): ProgressReporter | null {
  if (runningHere.has(id)) return null;
  const progress = emptyProgress();
  const postgres = isPostgres(sequelize);
  runningHere.set(id, { progress, fromMemory: !postgres });
  let lost = false;
  let writing: Promise<void> | null = null;
  const write = async (): Promise<void> => {
    // Only while still running: a row another process marked failed stays failed, and this import then stops.
    const [updated] = await ClientImport.update(
      { ...progress, heartbeatAt: new Date() },
      { where: { id, status: { [Op.in]: ['queued', 'running'] } } },
    );
    if (updated === 0) lost = true;
  };
  const timer = postgres
    ? setInterval(() => {
        writing ??= write()
          .catch((err: unknown) => logger?.warn({ err, id }, 'client import: progress not written'))
          .finally(() => (writing = null));
      }, PROGRESS_INTERVAL_MS)
    : null;
  return {
    progress,
    get lost() {
      return lost;
    },
    async stop() {
      if (timer) clearInterval(timer);
      await writing;
    },
    release() {
      if (timer) clearInterval(timer);
      runningHere.delete(id);
    },
  };
}
