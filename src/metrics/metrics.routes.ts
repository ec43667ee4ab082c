// GET /metrics in Prometheus's text format, open only as configured: with METRICS_TOKEN as a bearer token on the
// site's port, and on METRICS_PORT (token too, if one is set). With neither set it does not exist (404).
import type { Router } from 'express';
import { metricsHandler, type MetricsDependencies } from '../web/metrics-endpoint.js';
import { everyone } from '../web/middleware/current-user.js';
import { routeTable } from '../web/route-table.js';

/** The site's /metrics: there only when a token is configured, and then only for a request carrying it. */
export function metricsRoutes(deps: MetricsDependencies): Router {
  const open = deps.operations.metricsToken !== null;
  return routeTable([['get', '/metrics', everyone(), open ? metricsHandler(deps) : (_req, _res, next) => next()]]);
}
