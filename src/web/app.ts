// The Express application factory: builds the app without listening, so tests drive it directly.
import express, { type ErrorRequestHandler, type Express } from 'express';
import type { Sequelize } from 'sequelize';
import path from 'node:path';
import { PROJECT_ROOT, type Config } from '../config.js';
import { AppError } from '../errors.js';
import type { Logger } from '../logger.js';
import { unsubscribeRoutes } from '../unsubscribe/unsubscribe.routes.js';
import { healthRoutes } from './health.routes.js';

export interface AppDependencies {
  config: Config;
  sequelize: Sequelize;
  logger: Logger;
}

/** Assembles middleware and routes around the given database and config. */
export function createApp(deps: AppDependencies): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('views', path.join(PROJECT_ROOT, 'views'));
  app.set('view engine', 'pug');
  app.set('trust proxy', deps.config.isProduction ? 1 : false);

  app.use(healthRoutes(deps));
  app.use(unsubscribeRoutes(deps));

  app.use((_req, res) => {
    res.status(404).type('text/plain').send('Not found');
  });
  app.use(errorHandler(deps));
  return app;
}

/** The one place a failed request is answered: known errors show their message, others are logged and hidden. */
function errorHandler({ config, logger }: AppDependencies): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    if (err instanceof AppError) {
      res.status(err.status).type('text/plain').send(err.message);
      return;
    }
    logger.error({ err, method: req.method, url: req.originalUrl }, 'request failed');
    const detail = !config.isProduction && err instanceof Error ? `: ${err.message}` : '';
    res.status(500).type('text/plain').send(`Internal server error${detail}`);
  };
}
