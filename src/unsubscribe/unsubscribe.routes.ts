// The public unsubscribe link: GET asks for confirmation, POST unsubscribes (also RFC 8058 one-click POST).
import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import type { Config } from '../config.js';
import { everyone } from '../web/middleware/current-user.js';
import { isLanguage } from '../i18n/i18n.js';
import { chooseLanguage, speak } from '../web/middleware/language.js';
import { routeParam } from '../web/params.js';
import { routeTable } from '../web/route-table.js';
import { clientForToken, senderOfClient, unsubscribeClient } from './unsubscribe.service.js';

/**
 * Public routes. The POST carries no CSRF token on purpose: mail providers send the one-click POST
 * without cookies, and the signed token in the URL is the authority.
 */
export function unsubscribeRoutes({ config }: { config: Config }): Router {
  const tokenBody = express.urlencoded({ extended: false, limit: '1kb' });
  const language = linkLanguage();
  return routeTable([
    ['get', '/unsubscribe/:token', everyone(), language, (req, res) => answer(req, res, config, false)],
    ['post', '/unsubscribe/:token', everyone(), language, tokenBody, (req, res) => answer(req, res, config, true)],
  ]);
}

/**
 * The pages speak the language of the message the link came in (`?lang=`, written by compose.ts). An older link
 * has none: the reader's language then, from the browser or the cookie (mounted ahead of the session: a
 * provider's one-click POST has no cookie).
 */
function linkLanguage(): RequestHandler {
  const readers = chooseLanguage();
  return (req, res, next) =>
    readers(req, res, () => {
      const written = req.query.lang;
      if (isLanguage(written)) speak(req, res, written);
      next();
    });
}

// The link's page asks to confirm; its POST (the page's button, or the provider's one-click) unsubscribes.
async function answer(req: Request, res: Response, config: Config, unsubscribe: boolean): Promise<void> {
  res.set('Cache-Control', 'no-store');
  res.locals.bare = true;
  const client = await clientForToken(routeParam(req, 'token'), config.sessionSecret);
  if (!client) return res.status(404).render('unsubscribe/invalid', { title: req.t('unsubscribe.invalidTitle') });
  const sender = await senderOfClient(client, config.mailFrom);
  if (!unsubscribe)
    return res.render('unsubscribe/confirm', {
      title: req.t('unsubscribe.confirmTitle'),
      email: client.email,
      sender,
      action: req.originalUrl,
    });
  await unsubscribeClient(client);
  res.render('unsubscribe/done', { title: req.t('unsubscribe.doneTitle'), email: client.email, sender });
}
