// The messages door: list, create, edit, delete, and a preview as the recipient will see it (a manager reads any
// message's page and preview).
import type { Request, RequestHandler, Response, Router } from 'express';
import type { Config } from '../config.js';
import { roleCan } from '../permissions.js';
import { can, currentUser } from '../web/middleware/current-user.js';
import { flash } from '../web/middleware/flash.js';
import { formAction, type FormSpec, type FormView } from '../web/forms.js';
import { pageOf } from '../web/pagination.js';
import { idOf, idParam, searchParam } from '../web/params.js';
import { listHref, sortParams } from '../web/list-links.js';
import { readListSort } from '../forms/list-sort.js';
import { confirmedOrAsk } from '../web/confirm.js';
import { redirectAfterAction } from '../web/redirects.js';
import { routeTable } from '../web/route-table.js';
import { messageForm, messageSortForm, type MessageInput } from './message.form.js';
import { TEST_SEND_MAX_ADDRESSES, testSendForm, type TestSendInput } from './test-send.form.js';
import { latestTestSends, queueTestSends, TEST_SENDS_PER_HOUR } from './test-sends.service.js';
import { testSendReply } from '../delivery/test-sends.js';
import {
  countMessages,
  createMessage,
  deleteMessage,
  findMessage,
  listMessages,
  previewMessage,
  updateMessage,
  viewMessage,
} from './messages.service.js';

// The HTML preview is the user's own markup: shown in a sandboxed frame with no scripts, styles allowed.
const PREVIEW_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src * data:; frame-ancestors 'self'; sandbox";

/** Registers /messages routes; the preview shows links and the sender as configured. */
export function messageRoutes({ config }: { config: Config }): Router {
  const read = can('messages:read');
  // Managers read any message (its page and preview, not the list), as they read any mailing.
  const view = can('messages:read', 'mailings:oversee');
  const write = can('messages:write');
  return routeTable([
    ['get', '/messages', read, listPage],
    ['get', '/messages/new', write, newPage],
    ['post', '/messages', write, formAction(NEW_MESSAGE, create)],
    ['get', '/messages/:id', view, showPage(config)],
    ['get', '/messages/:id/preview.html', view, previewFrame(config)],
    ['get', '/messages/:id/edit', write, editPage],
    ['post', '/messages/:id/test-sends', write, formAction(testSendSpec(config), queueTest)],
    ['post', '/messages/:id', write, formAction(EDITED_MESSAGE, update)],
    ['post', '/messages/:id/delete', write, remove],
  ]);
}

// The owner's messages: searched by subject, sorted by a column, the pager keeping both.
async function listPage(req: Request, res: Response): Promise<void> {
  const owner = currentUser(req);
  const q = searchParam(req.query.q);
  const sort = readListSort(messageSortForm, req.query);
  const page = pageOf(req.query.page, await countMessages(owner, q));
  res.render('messages/index', {
    title: req.t('messages.title'),
    rows: await listMessages(owner, page, q, sort),
    page,
    q,
    sort,
    href: listHref('/messages', { q, ...sortParams(sort), page: page.number }),
  });
}

function renderForm(req: Request, res: Response, view: FormView & { messageId?: number }): void {
  res.render('messages/form', { title: req.t(view.messageId ? 'messages.editTitle' : 'messages.newTitle'), ...view });
}

// A new message's form; "Duplicate" opens it filled from one of the owner's messages (saved only when sent).
async function newPage(req: Request, res: Response): Promise<void> {
  const fromId = idOf(req.query.from);
  if (fromId === null) return renderForm(req, res, { values: { language: currentUser(req).language }, errors: {} });
  const original = await findMessage(currentUser(req), fromId);
  const values = { ...original.get({ plain: true }), subject: req.t('messages.copyOf', { subject: original.subject }) };
  renderForm(req, res, { values, errors: {} });
}

const NEW_MESSAGE: FormSpec<typeof messageForm> = { schema: messageForm, rerender: renderForm };
const EDITED_MESSAGE: FormSpec<typeof messageForm> = {
  schema: messageForm,
  rerender: async (req, res, view) => {
    const message = await findMessage(currentUser(req), idParam(req));
    renderForm(req, res, { ...view, messageId: message.id });
  },
};

async function create(req: Request, res: Response, input: MessageInput): Promise<void> {
  const message = await createMessage(currentUser(req), input);
  flash(req, 'success', req.t('messages.created'));
  redirectAfterAction(req, res, `/messages/${message.id}`);
}

function showPage(config: Config): RequestHandler {
  return (req, res) => renderShow(req, res, config, { values: { addresses: currentUser(req).email }, errors: {} });
}

// The message's page; its owner also gets the test-send form (with `testForm`'s input and errors) and the latest tests.
async function renderShow(req: Request, res: Response, config: Config, testForm: FormView): Promise<void> {
  const viewer = currentUser(req);
  const message = await viewMessage(viewer, idParam(req));
  const preview = await previewMessage(viewer, message.id, config.appUrl, config.mailFrom);
  const canChange = message.ownerId === viewer.id && roleCan(viewer.role, 'messages:write');
  const testSends = canChange ? await latestTestSends(message) : [];
  const testLimits = { max: TEST_SEND_MAX_ADDRESSES, limit: TEST_SENDS_PER_HOUR };
  res.render('messages/show', {
    title: message.subject,
    message,
    preview,
    canChange,
    testSends,
    testForm,
    testLimits,
    testSendReply,
  });
}

function testSendSpec(config: Config): FormSpec<typeof testSendForm> {
  return { schema: testSendForm, rerender: (req, res, view) => renderShow(req, res, config, view) };
}

async function queueTest(req: Request, res: Response, input: TestSendInput): Promise<void> {
  const queued = await queueTestSends(currentUser(req), idParam(req), input.addresses);
  flash(req, 'success', req.t('testSends.queued', { count: queued.length }));
  redirectAfterAction(req, res, `/messages/${idParam(req)}`);
}

function previewFrame(config: Config): RequestHandler {
  return async (req, res) => {
    const preview = await previewMessage(currentUser(req), idParam(req), config.appUrl, config.mailFrom);
    res.set('Content-Security-Policy', PREVIEW_CSP);
    res.set('X-Frame-Options', 'SAMEORIGIN');
    res.type('html').send(preview.html ?? '');
  };
}

async function editPage(req: Request, res: Response): Promise<void> {
  const message = await findMessage(currentUser(req), idParam(req));
  renderForm(req, res, { values: message.get({ plain: true }), errors: {}, messageId: message.id });
}

async function update(req: Request, res: Response, input: MessageInput): Promise<void> {
  const message = await updateMessage(currentUser(req), idParam(req), input);
  flash(req, 'success', req.t('messages.saved'));
  redirectAfterAction(req, res, `/messages/${message.id}`);
}

async function remove(req: Request, res: Response): Promise<void> {
  const message = await findMessage(currentUser(req), idParam(req));
  if (!confirmedOrAsk(req, res, { question: req.t('actions.confirmDelete'), back: `/messages/${message.id}` })) return;
  await deleteMessage(currentUser(req), message.id);
  flash(req, 'success', req.t('messages.deleted'));
  redirectAfterAction(req, res, '/messages');
}
