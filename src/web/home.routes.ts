// The home page: an introduction with a sign-up call to action for visitors, links to their screens for users.
import { Router } from 'express';
import { everyone } from './middleware/current-user.js';

/** Registers `/`. */
export function homeRoutes(): Router {
  const router = Router();
  router.get('/', everyone(), (req, res) => {
    res.render('home/index', { title: req.t('home.title') });
  });
  return router;
}
