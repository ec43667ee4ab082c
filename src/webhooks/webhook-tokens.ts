// The replay guard of signed webhook calls (migration 0022): a call's one-time token is taken once, by whichever
// web process sees it first; a second call with it is a replay. Tokens are kept while their call's timestamp is
// still accepted (a little longer), so the table stays small.
import type { Sequelize } from 'sequelize';
import { execute, selectRows } from '../delivery/sql.js';

/** Takes a token for a provider; false when it was taken before (a replayed call). */
export async function takeWebhookToken(
  sequelize: Sequelize,
  provider: string,
  token: string,
  keepMs: number,
  now = new Date(),
): Promise<boolean> {
  await execute(sequelize, 'DELETE FROM webhook_tokens WHERE received_at < :cutoff', {
    cutoff: new Date(now.getTime() - keepMs),
  });
  const taken = await selectRows<{ id: number }>(
    sequelize,
    `INSERT INTO webhook_tokens (provider, token, received_at) VALUES (:provider, :token, :now)
     ON CONFLICT (provider, token) DO NOTHING RETURNING id`,
    { provider, token, now },
  );
  return taken.length === 1;
}

/** Gives a token back (its call could not be recorded, so the provider's retry must be let in). */
export async function releaseWebhookToken(sequelize: Sequelize, provider: string, token: string): Promise<void> {
  await execute(sequelize, 'DELETE FROM webhook_tokens WHERE provider = :provider AND token = :token', {
    provider,
    token,
  });
}
