// In-process notices that cached public data went stale: the writers (services, back office) emit, the caches
// listen. Other processes (a separate daemon) cannot reach these listeners, so cached entries also expire.
import { EventEmitter } from 'node:events';

interface SiteEventMap {
  /** A blog post was created, edited, published, unpublished or deleted (its id when known). */
  'posts-changed': [postId: number | null];
  /** Mailings, clients or runs changed in a way the home page statistics count. */
  'stats-changed': [];
}

export const siteEvents = new EventEmitter<SiteEventMap>();
