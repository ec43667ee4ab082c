// The user read in the same query as the session (one round trip instead of two), handed from the session store
// to loadCurrentUser within the same request. Nothing here is a cache: an entry is taken once, right after the
// store read it, so a blocked user or an ended session is still seen on the very next request.
import type { User } from '../db/models/index.js';

// Longer than any gap between the store's read and the middleware right after it; an entry left by a request that
// never reached loadCurrentUser (the back office's own session) is dropped instead of served later.
const HANDOVER_MS = 2_000;
const MAX_WAITING = 10_000;

const waiting = new Map<string, { user: User | null; at: number }>();

/** Leaves the session's user (null: none, or deleted) for this request's loadCurrentUser. */
export function handOverSessionUser(sid: string, user: User | null): void {
  if (waiting.size >= MAX_WAITING) waiting.clear();
  waiting.set(sid, { user, at: Date.now() });
}

/**
 * The user read with this session just now, if it is the session's user; undefined when there is none to take
 * (the caller reads the user itself).
 */
export function takeSessionUser(sid: string, userId: number): User | null | undefined {
  const entry = waiting.get(sid);
  if (!entry) return undefined;
  waiting.delete(sid);
  if (Date.now() - entry.at > HANDOVER_MS) return undefined;
  if (entry.user && entry.user.id !== userId) return undefined;
  return entry.user;
}
