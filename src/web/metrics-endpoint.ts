// The /metrics answer itself, shared by the site's route (metrics.routes.ts) and the METRICS_PORT listener.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Sequelize } from 'sequelize';
import { refreshDatabaseGauges } from '../metrics/database-gauges.js';
import { metricsRegistry } from '../metrics/metrics.js';
import type { OperationsSettings } from '../operations-settings.js';

export interface MetricsDependencies {
  sequelize: Sequelize;
  operations: OperationsSettings;
}

/** True when the Authorization header carries the token (compared in constant time, through a hash). */
function carriesToken(header: string | undefined, token: string): boolean {
  const given = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '')?.[1] ?? '';
  const digest = (text: string): Buffer => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(given), digest(token));
}

/** Writes the process's series, the database's read at this moment; 401 without the token when one is set. */
export function metricsHandler({ sequelize, operations }: MetricsDependencies): RequestHandler {
  return async (req, res) => {
    res.set('Cache-Control', 'no-store');
    const token = operations.metricsToken;
    if (token !== null && !carriesToken(req.get('authorization'), token)) {
      res.set('WWW-Authenticate', 'Bearer realm="metrics"').status(401).type('text/plain').send('unauthorized\n');
      return;
    }
    // A database that does not answer leaves its series at their last values; the process's own still count.
    await refreshDatabaseGauges(sequelize).catch(() => undefined);
    res.type(metricsRegistry.contentType).send(await metricsRegistry.metrics());
  };
}
