// The messages door: list, create, edit, delete, and a preview as the recipient will see it.
import { Router, type Request, type Response } from 'express';
import type { Config } from '../config.js';
import { can, currentUser } from '../web/middleware/current-user.js';
import { flash } from '../web/middleware/flash.js';
import { parseForm, type FieldErrors } from '../forms/parse-form.js';
import { submittedValues } from '../web/forms.js';
import { pageOf } from '../web/pagination.js';
import { idParam } from '../web/params.js';
import { confirmedOrAsk } from '../web/confirm.js';
import { redirectAfterAction } from '../web/redirects.js';
import { messageForm } from './message.form.js';
import {
  countMessages,
  createMessage,
  deleteMessage,
  findMessage,
  listMessages,
  previewMessage,
  updateMessage,
} from './messages.service.js';

// The HTML preview is the user's own markup: shown in a sandboxed frame with no scripts, styles allowed.
const PREVIEW_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src * data:; frame-ancestors 'self'; sandbox";

/** Registers /messages routes. */
export function messageRoutes({ config }: { config: Config }): Router {
  const router = Router();

  router.get('/messages', can('messages:read'), async (req, res) => {
    const owner = currentUser(req);
    const page = pageOf(req.query.page, await countMessages(owner));
    res.render('messages/index', { title: req.t('messages.title'), rows: await listMessages(owner, page), page });
  });

  const renderForm = (
    req: Request,
    res: Response,
    locals: { values: Record<string, unknown>; errors?: FieldErrors; messageId?: number },
    status = 200,
  ): void => {
    res.status(status).render('messages/form', {
      title: req.t(locals.messageId ? 'messages.editTitle' : 'messages.newTitle'),
      errors: {},
      ...locals,
    });
  };

  router.get('/messages/new', can('messages:write'), (req, res) => renderForm(req, res, { values: {} }));
  router.post('/messages', can('messages:write'), async (req, res) => {
    const form = parseForm(messageForm, req.body);
    if (!form.ok) return renderForm(req, res, { values: submittedValues(req.body), errors: form.errors }, 422);
    const message = await createMessage(currentUser(req), form.data);
    flash(req, 'success', req.t('messages.created'));
    redirectAfterAction(req, res, `/messages/${message.id}`);
  });

  router.get('/messages/:id', can('messages:read'), async (req, res) => {
    const owner = currentUser(req);
    const message = await findMessage(owner, idParam(req));
    const preview = await previewMessage(owner, message.id, config.appUrl, config.mailFrom);
    res.render('messages/show', { title: message.subject, message, preview });
  });

  router.get('/messages/:id/preview.html', can('messages:read'), async (req, res) => {
    const preview = await previewMessage(currentUser(req), idParam(req), config.appUrl, config.mailFrom);
    res.set('Content-Security-Policy', PREVIEW_CSP);
    res.set('X-Frame-Options', 'SAMEORIGIN');
    res.type('html').send(preview.html ?? '');
  });

  router.get('/messages/:id/edit', can('messages:write'), async (req, res) => {
    const message = await findMessage(currentUser(req), idParam(req));
    renderForm(req, res, { values: message.get({ plain: true }), messageId: message.id });
  });
  router.post('/messages/:id', can('messages:write'), async (req, res) => {
    const owner = currentUser(req);
    const id = (await findMessage(owner, idParam(req))).id;
    const form = parseForm(messageForm, req.body);
    if (!form.ok)
      return renderForm(req, res, { values: submittedValues(req.body), errors: form.errors, messageId: id }, 422);
    await updateMessage(owner, id, form.data);
    flash(req, 'success', req.t('messages.saved'));
    redirectAfterAction(req, res, `/messages/${id}`);
  });

  router.post('/messages/:id/delete', can('messages:write'), async (req, res) => {
    const message = await findMessage(currentUser(req), idParam(req));
    if (!confirmedOrAsk(req, res, { question: req.t('actions.confirmDelete'), back: `/messages/${message.id}` }))
      return;
    await deleteMessage(currentUser(req), message.id);
    flash(req, 'success', req.t('messages.deleted'));
    redirectAfterAction(req, res, '/messages');
  });

  return router;
}
