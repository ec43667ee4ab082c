// The backoffs of destination groups that deferred our mail (a 421 or a 4.7.x reply), in the database so that
// every process slows the same group at once (table destination_backoffs, migration 0029).
import type { Sequelize } from 'sequelize';
import type { PacingSettings } from '../pacing-settings.js';
import { execute, isPostgres, selectRows } from './sql.js';

export interface GroupBackoff {
  /** No send to the group before this instant (epoch milliseconds). */
  untilMs: number;
  /** Waits in a row without a success in between, this one included. */
  deferrals: number;
}

/**
 * Notes a deferral from the group: a group not waiting starts a wait of the base length, or of twice its last one
 * (up to the maximum) when it deferred again right after the last wait; a group already waiting keeps its wait (the
 * messages that were on the wire when it began come back deferred too, and are no new sign). One statement, so two
 * processes deferring at once count once.
 */
export async function recordDeferral(
  sequelize: Sequelize,
  group: string,
  settings: Pick<PacingSettings, 'backoffBaseMs' | 'backoffMaxMs'>,
  nowMs = Date.now(),
): Promise<GroupBackoff> {
  const least = isPostgres(sequelize) ? 'LEAST' : 'min';
  const waiting = 'destination_backoffs.until_ms > :nowMs';
  const doubled = `${least}(:maxMs, destination_backoffs.delay_ms * 2)`;
  const rows = await selectRows<{ until_ms: number | string; deferrals: number | string }>(
    sequelize,
    `INSERT INTO destination_backoffs (group_name, until_ms, delay_ms, deferrals)
     VALUES (:group, :nowMs + :baseMs, :baseMs, 1)
     ON CONFLICT (group_name) DO UPDATE SET
       until_ms = CASE WHEN ${waiting} THEN destination_backoffs.until_ms ELSE :nowMs + ${doubled} END,
       delay_ms = CASE WHEN ${waiting} THEN destination_backoffs.delay_ms ELSE ${doubled} END,
       deferrals = CASE WHEN ${waiting} THEN destination_backoffs.deferrals ELSE destination_backoffs.deferrals + 1 END
     RETURNING until_ms, deferrals`,
    { group, nowMs, baseMs: settings.backoffBaseMs, maxMs: settings.backoffMaxMs },
  );
  const row = rows[0];
  if (!row) throw new Error(`no backoff was recorded for ${group}`);
  return { untilMs: Number(row.until_ms), deferrals: Number(row.deferrals) };
}

/**
 * A group delivered again after its wait: the next deferral starts from the base wait. A wait begun meanwhile (by
 * another process) stays.
 */
export async function clearBackoff(sequelize: Sequelize, group: string, nowMs = Date.now()): Promise<void> {
  await execute(sequelize, 'DELETE FROM destination_backoffs WHERE group_name = :group AND until_ms <= :nowMs', {
    group,
    nowMs,
  });
}

/** Every group with a backoff row and when its wait ends (past for a group that has not delivered since). */
export async function readBackoffs(sequelize: Sequelize): Promise<Map<string, number>> {
  const rows = await selectRows<{ group_name: string; until_ms: number | string }>(
    sequelize,
    'SELECT group_name, until_ms FROM destination_backoffs',
    {},
  );
  return new Map(rows.map((r) => [r.group_name, Number(r.until_ms)]));
}
