// Starting and stopping the scheduler together with its transport, for `serve` and `daemon`.
import type { Sequelize } from 'sequelize';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { Scheduler } from './scheduler.js';
import { createMailTransport } from './transports.js';

/** Starts a scheduler on the configured transport; the returned function stops both, gracefully. */
export async function startScheduler(deps: {
  sequelize: Sequelize;
  config: Config;
  logger: Logger;
}): Promise<() => Promise<void>> {
  const transport = createMailTransport(deps.config, deps.sequelize);
  const scheduler = new Scheduler({ ...deps, transport });
  await scheduler.start();
  return async () => {
    await scheduler.stop();
    transport.close();
  };
}
