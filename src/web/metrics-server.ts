// METRICS_PORT: /metrics on a listener of its own (for `serve` and `daemon`), so it need not be public at all.
import type { Server } from 'node:http';
import type { Sequelize } from 'sequelize';
import type { Logger } from '../logger.js';
import type { OperationsSettings } from '../operations-settings.js';
import { closeGracefully } from './graceful-close.js';

/** Listens on METRICS_PORT when it is set; resolves with a function that closes it (a no-op when not set). */
export async function startMetricsServer(
  operations: OperationsSettings,
  sequelize: Sequelize,
  logger: Logger,
): Promise<() => Promise<void>> {
  if (operations.metricsPort === null) return () => Promise.resolve();
  // Loaded only when the listener is wanted: Express and the metrics answer cost `daemon` ~20 MB otherwise.
  const [{ default: express }, { metricsHandler }] = await Promise.all([
    import('express'),
    import('./metrics-endpoint.js'),
  ]);
  const app = express();
  app.disable('x-powered-by');
  app.get('/metrics', metricsHandler({ sequelize, operations }));
  app.use((_req, res) => {
    res.status(404).type('text/plain').send('not found\n');
  });
  const server: Server = await new Promise((resolve, reject) => {
    const listening = app.listen(operations.metricsPort ?? 0, operations.metricsHost, () => resolve(listening));
    listening.once('error', reject);
  });
  logger.info({ port: operations.metricsPort, host: operations.metricsHost }, 'metrics listening');
  return () => closeGracefully(server, 1_000);
}
