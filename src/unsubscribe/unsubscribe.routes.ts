// The public unsubscribe link: GET asks for confirmation, POST unsubscribes (also RFC 8058 one-click POST).
import express, { Router } from 'express';
import type { Config } from '../config.js';
import { everyone } from '../web/middleware/current-user.js';
import { routeParam } from '../web/params.js';
import { clientForToken, unsubscribeClient } from './unsubscribe.service.js';

/**
 * Public routes. The POST carries no CSRF token on purpose: mail providers send the one-click POST
 * without cookies, and the signed token in the URL is the authority.
 */
export function unsubscribeRoutes({ config }: { config: Config }): Router {
  const router = Router();
  router.get('/unsubscribe/:token', everyone(), async (req, res) => {
    res.set('Cache-Control', 'no-store');
    const client = await clientForToken(routeParam(req, 'token'), config.sessionSecret);
    if (!client) return res.status(404).render('unsubscribe/invalid', { title: 'Invalid link' });
    res.render('unsubscribe/confirm', { title: 'Unsubscribe', email: client.email, action: req.originalUrl });
  });
  router.post(
    '/unsubscribe/:token',
    everyone(),
    express.urlencoded({ extended: false, limit: '1kb' }),
    async (req, res) => {
      res.set('Cache-Control', 'no-store');
      const client = await clientForToken(routeParam(req, 'token'), config.sessionSecret);
      if (!client) return res.status(404).render('unsubscribe/invalid', { title: 'Invalid link' });
      await unsubscribeClient(client);
      res.render('unsubscribe/done', { title: 'Unsubscribed', email: client.email });
    },
  );
  return router;
}
