// How often the account forms may send e-mail: a cooldown and an hourly cap per address, an hourly cap per IP.
// The address is counted whether or not an account has it, so a refusal says nothing about who is registered.
import type { Sequelize } from 'sequelize';
import type { MailFormLimits } from '../config.js';
import { normaliseEmail } from '../db/models/email.js';
import { execute, selectRows } from '../delivery/sql.js';

const HOUR_MS = 60 * 60 * 1000;

/** Lets one e-mail through for a key if its cooldown is over and its window has room; true when it did. */
async function take(
  sequelize: Sequelize,
  key: string,
  perHour: number,
  cooldownMs: number,
  now: Date,
): Promise<boolean> {
  const longAgo = new Date(0);
  // The row exists first, so the decision below is one conditional UPDATE: atomic on both databases, however
  // many requests for the same key arrive at once.
  await execute(
    sequelize,
    `INSERT INTO mail_form_limits (limit_key, window_started_at, sent_in_window, last_sent_at)
     VALUES (:key, :now, 0, :longAgo) ON CONFLICT (limit_key) DO NOTHING`,
    { key, now, longAgo },
  );
  const windowStart = new Date(now.getTime() - HOUR_MS);
  // Without a cooldown the last e-mail's time is not compared: requests at the same moment may carry clocks a
  // millisecond apart, and the later-written earlier one must not be refused for it.
  const rows = await selectRows<{ limit_key: string }>(
    sequelize,
    `UPDATE mail_form_limits SET
       sent_in_window = CASE WHEN window_started_at <= :windowStart THEN 1 ELSE sent_in_window + 1 END,
       window_started_at = CASE WHEN window_started_at <= :windowStart THEN :now ELSE window_started_at END,
       last_sent_at = :now
     WHERE limit_key = :key ${cooldownMs > 0 ? 'AND last_sent_at <= :cooldownEnd' : ''}
       AND (window_started_at <= :windowStart OR sent_in_window < :perHour)
     RETURNING limit_key`,
    { key, now, windowStart, perHour, cooldownEnd: new Date(now.getTime() - cooldownMs) },
  );
  return rows.length > 0;
}

/**
 * Decides whether an account form may send one e-mail to `address` for a request from `ip`, and counts it when
 * it may. The IP is counted first: a flood of different addresses from one place stops there.
 */
export async function mayMailFromForm(
  sequelize: Sequelize,
  address: string,
  ip: string,
  limits: MailFormLimits,
  now = new Date(),
): Promise<boolean> {
  if (!(await take(sequelize, `ip:${ip}`, limits.ipPerHour, 0, now))) return false;
  return take(
    sequelize,
    `address:${normaliseEmail(address)}`,
    limits.addressPerHour,
    limits.addressCooldownSeconds * 1000,
    now,
  );
}

/** Deletes the rows whose last e-mail is over an hour old: they limit nothing any more. */
export async function pruneMailFormLimits(sequelize: Sequelize, now = new Date()): Promise<void> {
  await execute(
    sequelize,
    'DELETE FROM mail_form_limits WHERE last_sent_at < :before AND window_started_at < :before',
    {
      before: new Date(now.getTime() - HOUR_MS),
    },
  );
}
