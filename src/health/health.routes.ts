// GET /healthz: liveness and database reachability, for load balancers and the start-up check. GET /readyz:
// whether to send this process traffic (readiness.ts).
import { everyone } from '../web/middleware/current-user.js';
import type { RequestHandler, Router } from 'express';
import { routeTable } from '../web/route-table.js';
import { isDatabaseReachable } from '../db/connection.js';
import type { Sequelize } from 'sequelize';
import type { Readiness } from './readiness.js';

export interface HealthDependencies {
  sequelize: Sequelize;
  readiness: () => Promise<Readiness>;
}

/** Answers 200 when the database answers (ready: when everything is), 503 otherwise; public and never cached. */
export function healthRoutes({ sequelize, readiness }: HealthDependencies): Router {
  return routeTable([
    ['get', '/healthz', everyone(), health(sequelize)],
    ['get', '/readyz', everyone(), ready(readiness)],
  ]);
}

function health(sequelize: Sequelize): RequestHandler {
  return async (_req, res) => {
    const database = await isDatabaseReachable(sequelize);
    res.set('Cache-Control', 'no-store');
    res
      .status(database ? 200 : 503)
      .json({ status: database ? 'ok' : 'unavailable', database: database ? 'ok' : 'down' });
  };
}

function ready(readiness: () => Promise<Readiness>): RequestHandler {
  return async (_req, res) => {
    const answer = await readiness();
    res.set('Cache-Control', 'no-store');
    if (answer.ready) res.status(200).json({ status: 'ready' });
    else res.status(503).json({ status: 'not ready', reason: answer.reason });
  };
}
