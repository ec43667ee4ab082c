// A real pino logger whose JSON lines are kept in memory, for tests of what the service logs.
import { pino } from 'pino';
import type { Logger } from '../../src/logger.js';

export interface CapturedLogger {
  logger: Logger;
  /** Every record logged so far, parsed. */
  records: Record<string, unknown>[];
}

/** A logger at the given level that keeps its records. */
export function capturedLogger(level = 'info'): CapturedLogger {
  const records: Record<string, unknown>[] = [];
  const logger = pino(
    { level },
    { write: (line: string) => records.push(JSON.parse(line) as Record<string, unknown>) },
  );
  return { logger, records };
}
