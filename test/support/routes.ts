// Reads the app's route table (Express 5 router internals), for the tests that check every route.
import type { Express } from 'express';

interface LayerLike {
  route?: { path: string; methods: Record<string, boolean>; stack: { handle: { access?: string } }[] };
  handle?: { stack?: LayerLike[] };
}

export interface RouteEntry {
  method: string;
  path: string;
  access: string | undefined;
}

/** Every route of the app with its method and declared access. */
export function routesOf(app: Express): RouteEntry[] {
  const found: RouteEntry[] = [];
  const walk = (stack: LayerLike[]): void => {
    for (const layer of stack) {
      if (layer.route) {
        const access = layer.route.stack.map((inner) => inner.handle.access).find(Boolean);
        for (const method of Object.keys(layer.route.methods)) {
          found.push({ method: method.toUpperCase(), path: layer.route.path, access });
        }
      } else if (layer.handle?.stack) {
        walk(layer.handle.stack);
      }
    }
  };
  walk((app as unknown as { router: { stack: LayerLike[] } }).router.stack);
  return found;
}
