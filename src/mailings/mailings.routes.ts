// The mailings door: list, create, edit, delete, the detail page with run history and live progress, and the
// run buttons (send now, pause, resume, cancel, retry failed).
import { MAX_FORM_FIELDS } from '../web/error-pages.js';
import type { Request, RequestHandler, Response, Router } from 'express';
import type { Sequelize } from 'sequelize';
import { MAILING_STATUSES, PERIODICITIES, type Mailing, type User } from '../db/models/index.js';
import { seesEveryMailing } from '../permissions.js';
import { NotFoundError } from '../errors.js';
import { can, currentUser } from '../web/middleware/current-user.js';
import { flash } from '../web/middleware/flash.js';
import { formAction, type FormSpec, type FormView } from '../web/forms.js';
import { pageWithRows } from '../web/pagination.js';
import { idOf, idParam, lineParam, REASON_MAX, routeParam, searchParam } from '../web/params.js';
import { listHref, sortParams } from '../web/list-links.js';
import { readListSort } from '../forms/list-sort.js';
import { confirmedOrAsk } from '../web/confirm.js';
import { redirectAfterAction } from '../web/redirects.js';
import { routeTable } from '../web/route-table.js';
import { toLocalDateTimeInput } from '../forms/time-zones.js';
import { zoneChoices } from '../forms/zone-choices.js';
import { mailingForm, mailingSortForm, type MailingInput } from './mailing.form.js';
import { identityOfMailing } from '../domains/identities.service.js';
import { followedRun, historyOf, retriesWaitingIn, retryableOf } from './run-history.service.js';
import { deleteQuestion, retryUnknownQuestion, sendQuestion } from './run-questions.js';
import {
  actOnRun,
  activeRunOf,
  clientIdsOf,
  CONFIRMED_RUN_ACTIONS,
  countMailings,
  createMailing,
  deleteMailing,
  findMailing,
  findRun,
  formChoices,
  listMailings,
  mailingOwners,
  nextRunRecipientCount,
  RUN_ACTIONS,
  runsOf,
  sendNow,
  setDisabledByManager,
  updateMailing,
  viewMailing,
  type MailingListFilters,
  type MailingListState,
  type RunAction,
} from './mailings.service.js';

/** Registers /mailings routes; changes to runs and schedules need the connection for their transactions. */
export function mailingRoutes({ sequelize }: { sequelize: Sequelize }): Router {
  const read = can('mailings:read', 'mailings:oversee');
  const write = can('mailings:write');
  const send = can('mailings:send');
  const oversee = can('mailings:oversee');
  return routeTable([
    ['get', '/mailings', read, listPage],
    ['get', '/mailings/new', write, newPage],
    ['post', '/mailings', write, formAction(NEW_MAILING, create(sequelize))],
    ['get', '/mailings/:id', read, showPage],
    ['get', '/mailings/:id/progress', read, progressFragment],
    ['get', '/mailings/:id/edit', write, editPage],
    ['post', '/mailings/:id', write, formAction(EDITED_MAILING, update(sequelize))],
    ['post', '/mailings/:id/delete', write, remove(sequelize)],
    ['post', '/mailings/:id/send', send, sendNowAction(sequelize)],
    ['post', '/mailings/:id/runs/:runId/:action', send, runAction(sequelize)],
    ['post', '/mailings/:id/disable', oversee, setDisabled(sequelize, true)],
    ['post', '/mailings/:id/enable', oversee, setDisabled(sequelize, false)],
  ]);
}

// Customers see their own mailings; managers see everyone's, with owner and status filters. Both search and sort.
async function listPage(req: Request, res: Response): Promise<void> {
  const viewer = currentUser(req);
  const overseer = seesEveryMailing(viewer.role);
  const filters = listFiltersOf(req.query);
  const sort = readListSort(mailingSortForm, req.query);
  const { page, rows } = await pageWithRows(
    req.query.page,
    () => countMailings(viewer, filters),
    (asked) => listMailings(viewer, asked, filters, sort),
  );
  const shown = { q: filters.search, owner: filters.ownerId, status: filters.status, ...sortParams(sort) };
  res.render('mailings/index', {
    title: req.t('mailings.title'),
    rows,
    page,
    overseer,
    filters,
    sort,
    href: listHref('/mailings', { ...shown, page: page.number }),
    owners: overseer ? await mailingOwners() : [],
    statuses: LIST_STATES,
  });
}

async function renderForm(req: Request, res: Response, view: FormView & { mailingId?: number }): Promise<void> {
  const current = view.mailingId ? (await findMailing(currentUser(req), view.mailingId)).senderIdentityId : null;
  const choices = await formChoices(currentUser(req), current);
  const selected = view.values.clientIds;
  res.render('mailings/form', {
    title: req.t(view.mailingId ? 'mailings.editTitle' : 'mailings.newTitle'),
    ...view,
    selectedClientIds: new Set((Array.isArray(selected) ? selected : [selected]).map(String)),
    messages: choices.messages,
    clients: choices.clients,
    identities: choices.identities,
    periodicities: PERIODICITIES,
    timeZones: zoneChoices(req.language, view.values.timeZone),
    pickLimit: MAX_FORM_FIELDS.toLocaleString(req.language),
  });
}

// Dates are typed in the user's own zone.
const formOf = (req: Request) => mailingForm(currentUser(req).timeZone);
const NEW_MAILING: FormSpec<ReturnType<typeof mailingForm>> = { schema: formOf, rerender: renderForm };
const EDITED_MAILING: FormSpec<ReturnType<typeof mailingForm>> = {
  schema: formOf,
  rerender: async (req, res, view) => {
    const mailing = await findMailing(currentUser(req), idParam(req));
    await renderForm(req, res, { ...view, mailingId: mailing.id });
  },
};

// A new mailing's form; "Duplicate" opens it filled from one of the owner's mailings (nothing is saved, so
// nothing can start, until the owner saves it), with a fresh window when the original's has ended.
async function newPage(req: Request, res: Response): Promise<void> {
  const user = currentUser(req);
  const start = new Date(Math.floor(Date.now() / 60_000) * 60_000);
  const freshWindow = {
    startAt: toLocalDateTimeInput(start, user.timeZone),
    endAt: toLocalDateTimeInput(new Date(start.getTime() + 30 * 24 * 3600_000), user.timeZone),
  };
  const fromId = idOf(req.query.from);
  if (fromId !== null) {
    const original = await findMailing(user, fromId);
    const values = { ...(await formValuesOf(original, user)), name: req.t('mailings.copyOf', { name: original.name }) };
    const window = original.endAt.getTime() > Date.now() ? {} : freshWindow;
    return renderForm(req, res, { values: { ...values, ...window }, errors: {} });
  }
  const values = { ...freshWindow, periodicity: 'once', timeZone: user.timeZone, allClients: 'on' };
  await renderForm(req, res, { values, errors: {} });
}

function create(sequelize: Sequelize) {
  return async (req: Request, res: Response, input: MailingInput): Promise<void> => {
    const mailing = await createMailing(sequelize, currentUser(req), input);
    flash(req, 'success', req.t('mailings.created'));
    redirectAfterAction(req, res, `/mailings/${mailing.id}`);
  };
}

async function showPage(req: Request, res: Response): Promise<void> {
  const mailing = await viewMailing(currentUser(req), idParam(req));
  const [runs, activeRun, clientCount, recipientCount, history, identity] = await Promise.all([
    runsOf(mailing),
    activeRunOf(mailing),
    mailing.countClients(),
    nextRunRecipientCount(mailing),
    historyOf(mailing),
    identityOfMailing(mailing),
  ]);
  const followed = followedRun(activeRun, runs);
  const progressRun = followed ?? runs[0];
  const [retryable, waiting] = await Promise.all([retryableOf([...runs, followed]), retriesWaitingIn(followed)]);
  const questions = { confirmSend: sendQuestion(req, recipientCount), confirmDelete: deleteQuestion(req, history) };
  const view = {
    mailing,
    runs,
    activeRun: followed,
    progressRun,
    clientCount,
    recipientCount,
    identity,
    retryable,
    waiting,
    ...questions,
  };
  res.render('mailings/show', { title: mailing.name, ...view, retryUnknown: retryUnknownQuestion(req) });
}

// The self-polling progress fragment of the detail page: htmx asks for it every second while a run is on
// or about to start; when the run it was watching has ended, the page reloads to show the history.
async function progressFragment(req: Request, res: Response): Promise<void> {
  const mailing = await viewMailing(currentUser(req), idParam(req));
  const activeRun = await activeRunOf(mailing);
  res.set('Cache-Control', 'no-store');
  const latestRun = activeRun ?? (await runsOf(mailing, 1))[0];
  const watched = typeof req.query.run === 'string' ? req.query.run : undefined;
  // A page waiting for a run to start knows the newest run it shows (`since`); a newer one, even one that has
  // already ended between two polls, reloads the page too, so its history shows it.
  const since = typeof req.query.since === 'string' ? req.query.since : undefined;
  if ((watched && watched !== String(activeRun?.id)) || (since !== undefined && since !== String(latestRun?.id ?? 0))) {
    res.set('HX-Refresh', 'true');
  }
  const [retryable, waiting] = await Promise.all([retryableOf([latestRun]), retriesWaitingIn(activeRun)]);
  res.render('mailings/_progress', {
    mailing,
    activeRun,
    progressRun: latestRun,
    retryable,
    waiting,
    retryUnknown: retryUnknownQuestion(req),
  });
}

/** A mailing as its form shows it, dates in the owner's zone. */
async function formValuesOf(mailing: Mailing, user: User): Promise<Record<string, unknown>> {
  return {
    name: mailing.name,
    messageId: mailing.messageId,
    allClients: mailing.allClients ? 'on' : undefined,
    clientIds: (await clientIdsOf(mailing)).map(String),
    startAt: toLocalDateTimeInput(mailing.startAt, user.timeZone),
    endAt: toLocalDateTimeInput(mailing.endAt, user.timeZone),
    periodicity: mailing.periodicity,
    timeZone: mailing.timeZone,
    senderIdentityId: mailing.senderIdentityId ?? '',
  };
}

async function editPage(req: Request, res: Response): Promise<void> {
  const user = currentUser(req);
  const mailing = await findMailing(user, idParam(req));
  await renderForm(req, res, { values: await formValuesOf(mailing, user), errors: {}, mailingId: mailing.id });
}

function update(sequelize: Sequelize) {
  return async (req: Request, res: Response, input: MailingInput): Promise<void> => {
    const mailing = await updateMailing(sequelize, currentUser(req), idParam(req), input);
    flash(req, 'success', req.t('mailings.saved'));
    redirectAfterAction(req, res, `/mailings/${mailing.id}`);
  };
}

function remove(sequelize: Sequelize): RequestHandler {
  return async (req, res) => {
    const mailing = await findMailing(currentUser(req), idParam(req));
    const question = deleteQuestion(req, await historyOf(mailing));
    if (!confirmedOrAsk(req, res, { question, back: `/mailings/${mailing.id}` })) return;
    await deleteMailing(sequelize, currentUser(req), mailing.id);
    flash(req, 'success', req.t('mailings.deleted'));
    redirectAfterAction(req, res, '/mailings');
  };
}

function sendNowAction(sequelize: Sequelize): RequestHandler {
  return async (req, res) => {
    const mailing = await findMailing(currentUser(req), idParam(req));
    const question = sendQuestion(req, await nextRunRecipientCount(mailing));
    const ask = { question, back: `/mailings/${mailing.id}`, confirmLabel: req.t('mailings.sendNow') };
    if (!confirmedOrAsk(req, res, ask)) return;
    const run = await sendNow(sequelize, currentUser(req), mailing.id);
    flash(req, 'success', req.t('mailings.sendStarted', { run: run.number }));
    redirectAfterAction(req, res, `/mailings/${run.mailingId}`);
  };
}

function runAction(sequelize: Sequelize): RequestHandler {
  return async (req, res) => {
    const action = routeParam(req, 'action');
    if (!(RUN_ACTIONS as readonly string[]).includes(action)) throw new NotFoundError();
    const mailingId = idParam(req);
    if (CONFIRMED_RUN_ACTIONS.includes(action as RunAction)) {
      const run = await findRun(currentUser(req), mailingId, idParam(req, 'runId'));
      const { unknown } = (await retryableOf([run])).get(run.id) ?? { unknown: 0 };
      const ask = { ...retryUnknownQuestion(req, unknown), back: `/mailings/${mailingId}` };
      if (!confirmedOrAsk(req, res, ask)) return;
    }
    const { retried } = await actOnRun(
      sequelize,
      currentUser(req),
      mailingId,
      idParam(req, 'runId'),
      action as RunAction,
    );
    if (retried === 0)
      flash(
        req,
        'warning',
        req.t(action === 'retry-unknown' ? 'mailings.runs.noUnknownToRetry' : 'mailings.runs.nothingToRetry'),
      );
    else flash(req, 'success', req.t(`mailings.runDone.${action}`));
    redirectAfterAction(req, res, `/mailings/${mailingId}`);
  };
}

// A manager stops a mailing (its timers and the run under way) or lets it run again; the reason is kept.
function setDisabled(sequelize: Sequelize, disabled: boolean): RequestHandler {
  return async (req, res) => {
    const reason = disabled ? lineParam((req.body as Record<string, unknown> | undefined)?.reason, REASON_MAX) : '';
    const { runCancelled } = await setDisabledByManager(sequelize, currentUser(req), idParam(req), disabled, reason);
    const done = runCancelled ? 'mailings.disabledDoneRunCancelled' : 'mailings.disabledDone';
    flash(req, 'success', req.t(disabled ? done : 'mailings.enabledDone'));
    redirectAfterAction(req, res, `/mailings/${idParam(req)}`);
  };
}

const LIST_STATES: readonly MailingListState[] = [...MAILING_STATUSES, 'disabled'];

function listFiltersOf(query: Request['query']): MailingListFilters {
  const ownerId = idOf(query.owner);
  const status = (LIST_STATES as readonly unknown[]).includes(query.status) ? (query.status as MailingListState) : null;
  return { ownerId, status, search: searchParam(query.q) };
}
