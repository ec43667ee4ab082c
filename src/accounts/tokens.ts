// Single-use secrets for links sent by e-mail: the link carries the secret, the database only its SHA-256.
import { createHash, randomBytes } from 'node:crypto';
import { Op } from 'sequelize';
import { Token, type TokenPurpose } from '../db/models/index.js';

function hashOf(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** Creates a token for a user and returns the secret to put in the link (it is not stored). */
export async function issueToken(
  userId: number,
  purpose: TokenPurpose,
  ttlMs: number,
  now = new Date(),
): Promise<string> {
  const secret = randomBytes(32).toString('base64url');
  await Token.create({ userId, purpose, tokenHash: hashOf(secret), expiresAt: new Date(now.getTime() + ttlMs) });
  return secret;
}

/** The user a live, unused token belongs to, without using it up (to show a form first). */
export async function peekToken(secret: string, purpose: TokenPurpose, now = new Date()): Promise<number | null> {
  const token = await Token.findOne({
    where: { tokenHash: hashOf(secret), purpose, usedAt: null, expiresAt: { [Op.gt]: now } },
  });
  return token?.userId ?? null;
}

/**
 * Uses a token up and returns its user, or null when it is unknown, expired or already used. The update is
 * conditional, so two clicks at once cannot both succeed.
 */
export async function consumeToken(secret: string, purpose: TokenPurpose, now = new Date()): Promise<number | null> {
  const where = { tokenHash: hashOf(secret), purpose, usedAt: null, expiresAt: { [Op.gt]: now } };
  const token = await Token.findOne({ where });
  if (!token) return null;
  const [changed] = await Token.update({ usedAt: now }, { where: { ...where, id: token.id } });
  return changed === 1 ? (token.userId ?? null) : null;
}

/** Invalidates a user's other unused tokens of a purpose (a new link replaces the old ones). */
export async function revokeTokens(userId: number, purpose: TokenPurpose, now = new Date()): Promise<void> {
  await Token.update({ usedAt: now }, { where: { userId, purpose, usedAt: null } });
}
