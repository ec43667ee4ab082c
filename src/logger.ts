// One structured logger for the whole process (JSON lines on stdout).
import { pino, type Logger } from 'pino';

export type { Logger };

/** Creates the process logger at the configured level. */
export function createLogger(level: string): Logger {
  return pino({ level, base: { pid: process.pid } });
}
