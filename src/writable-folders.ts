// The folders a process writes, checked when it starts: one it cannot write stops it with the variable's name,
// instead of failing later (AdminJS's bundle took `serve` down after it said "listening"; an outbox that cannot
// be written fails every delivery).
import { randomUUID } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError, type Config } from './config.js';

/** A folder and the setting that names it. */
export interface WrittenFolder {
  variable: string;
  dir: string;
}

/** Creates each folder if needed and writes a probe file into it; throws a ConfigError naming the first that fails. */
export async function assertWritableFolders(folders: WrittenFolder[]): Promise<void> {
  for (const { variable, dir } of folders) {
    const probe = path.join(dir, `.write-check-${process.pid}-${randomUUID()}`);
    try {
      await mkdir(dir, { recursive: true });
      await writeFile(probe, '');
      await rm(probe, { force: true });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? String(error);
      throw new ConfigError(
        variable,
        `names ${dir}, which this process cannot write (${code}): point it at a folder the service may write`,
      );
    }
  }
}

/** What a process that sends e-mail writes: the outbox, when no SMTP server is configured. */
export function mailFolders(config: Pick<Config, 'smtpUrl' | 'outboxDir'>): WrittenFolder[] {
  return config.smtpUrl ? [] : [{ variable: 'OUTBOX_DIR', dir: config.outboxDir }];
}
