// The one place a process (serve, daemon, bounces, and each short command) joins the others on the same database: on
// PostgreSQL its site and delivery events cross processes through LISTEN/NOTIFY; SQLite has one writing process,
// so its events stay in process.
import type { Sequelize } from 'sequelize';
import { siteEvents } from '../cache/site-events.js';
import { watchStatsSources } from '../cache/stats-sources.js';
import type { EventBridge } from '../db/event-bridge.js';
import { deliveryEvents } from '../delivery/events.js';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';

interface ProcessEventsOptions {
  config: Config;
  logger: Logger;
  sequelize: Sequelize;
  /**
   * False for a short command: what it changes is told to the other processes as a web change would be (NOTIFY
   * through the pool), and it opens no listening connection.
   */
  listen?: boolean;
}

/** Starts this process's bridge on PostgreSQL (null on SQLite); close it on shutdown (a short command: before the database). */
export async function bridgeProcessEvents({
  config,
  logger,
  sequelize,
  listen = true,
}: ProcessEventsOptions): Promise<EventBridge | null> {
  if (config.database.dialect !== 'postgres') return null;
  // Writes here (a daemon settling a mailing's status, a command starting a run) must clear the statistics on
  // every web process.
  watchStatsSources();
  // Loaded on PostgreSQL only: the bridge's own `pg` client is ~16 MB of modules a process on SQLite never uses.
  const { startEventBridge } = await import('../db/event-bridge.js');
  return startEventBridge({
    url: config.database.url,
    logger,
    sequelize,
    buses: [siteEvents, deliveryEvents],
    listen,
    // What other processes changed while this one was not listening: the caches start afresh; the scheduler's
    // reconcile picks up runs and mailings on its own.
    onReconnect: () => {
      siteEvents.deliver('posts-changed', [null]);
      siteEvents.deliver('stats-changed', []);
    },
  });
}
