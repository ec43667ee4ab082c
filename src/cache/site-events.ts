// Notices that cached public data went stale: the writers (services, back office, model hooks) emit, the caches
// listen. On PostgreSQL both events also reach every other process (src/db/event-bridge.ts); cached entries still
// expire, the backstop while the bridge is down.
import { EventBus } from '../event-bus.js';

interface SiteEventMap {
  /** A blog post was created, edited, published, unpublished or deleted (its id when known). */
  'posts-changed': [postId: number | null];
  /** Mailings, clients or runs changed in a way the home page statistics count. */
  'stats-changed': [];
}

export const siteEvents = new EventBus<SiteEventMap>('site', ['posts-changed', 'stats-changed']);
