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

/** The screens of a customer that show their records, for the tests that read every screen (escaping, language). */
export function customerScreens(ids: { client: number; message: number; mailing: number; run: number }): string[] {
  return [
    '/',
    '/profile',
    '/clients',
    `/clients/${ids.client}/edit`,
    '/messages',
    `/messages/${ids.message}`,
    `/messages/${ids.message}/edit`,
    '/mailings',
    '/mailings/new',
    `/mailings/${ids.mailing}`,
    `/mailings/${ids.mailing}/edit`,
    `/mailings/${ids.mailing}/progress`,
    '/reports',
    `/reports/runs/${ids.run}`,
  ];
}
