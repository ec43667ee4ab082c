import { expect } from 'chai';
import type { Express } from 'express';
import { testSite } from '../../support/web.js';

interface LayerLike {
  route?: { path: string; methods: Record<string, boolean>; stack: { handle: { access?: string } }[] };
  handle?: { stack?: LayerLike[] };
}

function routesOf(app: Express): { route: string; access: string | undefined }[] {
  const found: { route: string; access: string | undefined }[] = [];
  const walk = (stack: LayerLike[]): void => {
    for (const layer of stack) {
      if (layer.route) {
        const access = layer.route.stack.map((inner) => inner.handle.access).find(Boolean);
        for (const method of Object.keys(layer.route.methods)) {
          found.push({ route: `${method.toUpperCase()} ${layer.route.path}`, access });
        }
      } else if (layer.handle?.stack) {
        walk(layer.handle.stack);
      }
    }
  };
  walk((app as unknown as { router: { stack: LayerLike[] } }).router.stack);
  return found;
}

describe('the route table', () => {
  it('when the app is built, then every route declares who may use it', () => {
    const routes = routesOf(testSite().app);
    expect(routes.length).to.be.greaterThan(20);
    const undeclared = routes.filter((entry) => !entry.access).map((entry) => entry.route);
    expect(undeclared, 'routes without a permission').to.deep.equal([]);
  });
});
