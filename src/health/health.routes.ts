// GET /healthz: liveness and database reachability, for load balancers and the start-up check.
import { everyone } from '../web/middleware/current-user.js';
import type { RequestHandler, Router } from 'express';
import { routeTable } from '../web/route-table.js';
import { isDatabaseReachable } from '../db/connection.js';
import type { Sequelize } from 'sequelize';

/** Answers 200 when the database answers, 503 otherwise; public and never cached. */
export function healthRoutes({ sequelize }: { sequelize: Sequelize }): Router {
  return routeTable([['get', '/healthz', everyone(), health(sequelize)]]);
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
