// A feature's routes as a table, one line each: method, path, who may use it, then the handler (a form's POST
// names its form through formAction). The access gate comes first, where the router test reads it.
import { Router, type RequestHandler } from 'express';
import type { AccessGate } from './middleware/current-user.js';

export type Route = readonly [method: 'get' | 'post', path: string, access: AccessGate, ...handlers: RequestHandler[]];

/** Builds the router of a route table. */
export function routeTable(routes: readonly Route[]): Router {
  const router = Router();
  for (const [method, path, access, ...handlers] of routes) router[method](path, access, ...handlers);
  return router;
}
