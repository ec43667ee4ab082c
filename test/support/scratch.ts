// The one registry of what a test run puts in the system temp folder (outboxes, uploads, SQLite databases): each
// folder is named mailer-<purpose>-pid<run>-XXXXXX and removed when the run ends (root hooks), even when tests
// fail, or when the process exits or is interrupted first. The root hooks also compare the temp folder with how
// it was when the run started (leftInTemp), so a test that makes its own folder and leaves it fails the run.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const PREFIX = 'mailer-';
const RUN_TAG = `pid${process.pid}`;
/** A scratch folder's name, with the process id of the run that made it (mkdtemp adds six characters). */
const TAGGED = /-pid(\d+)-[A-Za-z0-9]{6}$/;

const folders = new Set<string>();

function mailerEntries(): string[] {
  return readdirSync(os.tmpdir()).filter((name) => name.startsWith(PREFIX));
}

/** What the temp folder held when the run started (this module is loaded with the root hooks, first). */
const atStart = new Set(mailerEntries());

/** A new empty folder in the system temp folder, removed when the run ends. */
export function scratchFolder(purpose: string): string {
  const folder = mkdtempSync(path.join(os.tmpdir(), `${PREFIX}${purpose}-${RUN_TAG}-`));
  folders.add(folder);
  return folder;
}

/** Removes a scratch folder now (one a test is done with), instead of at the end of the run. */
export function removeScratchFolder(folder: string): void {
  rmSync(folder, { recursive: true, force: true });
  folders.delete(folder);
}

/** Removes every scratch folder still there; the root hooks call it once the run is over. */
export function removeScratchFolders(): void {
  for (const folder of [...folders]) removeScratchFolder(folder);
}

/**
 * The `mailer-*` entries in the temp folder that were not there when the run started, other runs' scratch
 * folders excepted (runs may share the temp folder; each one's own guard answers for its folders): what this run
 * leaves behind.
 */
export function leftInTemp(): string[] {
  return mailerEntries().filter((name) => {
    if (atStart.has(name)) return false;
    const tag = TAGGED.exec(name);
    return !tag || Number(tag[1]) === process.pid;
  });
}

// A run that stops early still cleans up: at exit (synchronously), and on a signal before it takes effect. The
// listener stays on while it removes (a signal without listeners would kill the process at once: Ctrl-C and mocha
// both send one), then, if nobody else listens, goes and lets the signal do what it does.
function cleanUpOn(signal: NodeJS.Signals): void {
  removeScratchFolders();
  process.removeListener(signal, cleanUpOn);
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}
process.once('exit', removeScratchFolders);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, cleanUpOn);
