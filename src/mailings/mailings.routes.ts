// The mailings door: list, create, edit, delete, the detail page with run history and live progress, and the
// run buttons (send now, pause, resume, cancel, retry failed).
import { MAX_FORM_FIELDS } from '../web/error-pages.js';
import { Router, type Request, type Response } from 'express';
import type { Sequelize } from 'sequelize';
import { MAILING_STATUSES, PERIODICITIES, type MailingStatus } from '../db/models/index.js';
import { seesEveryMailing } from '../permissions.js';
import { NotFoundError, ValidationError } from '../errors.js';
import { can, currentUser } from '../web/middleware/current-user.js';
import { flash } from '../web/middleware/flash.js';
import { parseForm, type FieldErrors } from '../forms/parse-form.js';
import { submittedValues } from '../web/forms.js';
import { pageOf } from '../web/pagination.js';
import { idParam, lineParam, REASON_MAX, routeParam } from '../web/params.js';
import { confirmedOrAsk } from '../web/confirm.js';
import { redirectAfterAction } from '../web/redirects.js';
import { TIME_ZONES, toLocalDateTimeInput } from '../forms/time-zones.js';
import { mailingForm } from './mailing.form.js';
import {
  actOnRun,
  activeRunOf,
  clientIdsOf,
  countMailings,
  createMailing,
  deleteMailing,
  findMailing,
  formChoices,
  listMailings,
  mailingOwners,
  RUN_ACTIONS,
  runsOf,
  sendNow,
  setDisabledByManager,
  updateMailing,
  viewMailing,
  type MailingListFilters,
  type RunAction,
} from './mailings.service.js';

/** Registers /mailings routes. */
export function mailingRoutes({ sequelize }: { sequelize: Sequelize }): Router {
  const router = Router();

  // Customers see their own mailings; managers see everyone's, with owner and status filters.
  router.get('/mailings', can('mailings:read', 'mailings:oversee'), async (req, res) => {
    const viewer = currentUser(req);
    const overseer = seesEveryMailing(viewer.role);
    const filters = listFiltersOf(req.query);
    const page = pageOf(req.query.page, await countMailings(viewer, filters));
    res.render('mailings/index', {
      title: req.t('mailings.title'),
      rows: await listMailings(viewer, page, filters),
      page,
      overseer,
      filters,
      owners: overseer ? await mailingOwners() : [],
      statuses: MAILING_STATUSES,
    });
  });

  const renderForm = async (
    req: Request,
    res: Response,
    locals: { values: Record<string, unknown>; errors?: FieldErrors; mailingId?: number },
    status = 200,
  ): Promise<void> => {
    const choices = await formChoices(currentUser(req));
    const selected = locals.values.clientIds;
    res.status(status).render('mailings/form', {
      title: req.t(locals.mailingId ? 'mailings.editTitle' : 'mailings.newTitle'),
      errors: {},
      ...locals,
      selectedClientIds: new Set((Array.isArray(selected) ? selected : [selected]).map(String)),
      messages: choices.messages,
      clients: choices.clients,
      periodicities: PERIODICITIES,
      timeZones: TIME_ZONES,
      pickLimit: MAX_FORM_FIELDS.toLocaleString(req.language),
    });
  };

  const saveFromForm = async (req: Request, res: Response, mailingId?: number): Promise<void> => {
    const owner = currentUser(req);
    const form = parseForm(mailingForm(owner.timeZone), req.body);
    const values = submittedValues(req.body);
    if (!form.ok) return renderForm(req, res, { values, errors: form.errors, mailingId }, 422);
    try {
      const mailing = mailingId
        ? await updateMailing(sequelize, owner, mailingId, form.data)
        : await createMailing(sequelize, owner, form.data);
      flash(req, 'success', req.t(mailingId ? 'mailings.saved' : 'mailings.created'));
      redirectAfterAction(req, res, `/mailings/${mailing.id}`);
    } catch (err) {
      if (err instanceof ValidationError)
        return renderForm(req, res, { values, errors: err.fieldErrors, mailingId }, 422);
      throw err;
    }
  };

  router.get('/mailings/new', can('mailings:write'), async (req, res) => {
    const user = currentUser(req);
    const start = new Date(Math.floor(Date.now() / 60_000) * 60_000);
    await renderForm(req, res, {
      values: {
        startAt: toLocalDateTimeInput(start, user.timeZone),
        endAt: toLocalDateTimeInput(new Date(start.getTime() + 30 * 24 * 3600_000), user.timeZone),
        periodicity: 'once',
        timeZone: user.timeZone,
        allClients: 'on',
      },
    });
  });
  router.post('/mailings', can('mailings:write'), (req, res) => saveFromForm(req, res));

  router.get('/mailings/:id', can('mailings:read', 'mailings:oversee'), async (req, res) => {
    const mailing = await viewMailing(currentUser(req), idParam(req));
    const [runs, activeRun, clientCount] = await Promise.all([
      runsOf(mailing),
      activeRunOf(mailing),
      mailing.countClients(),
    ]);
    res.render('mailings/show', {
      title: mailing.name,
      mailing,
      runs,
      activeRun,
      progressRun: activeRun ?? runs[0],
      clientCount,
    });
  });

  // The self-polling progress fragment of the detail page: htmx asks for it every second while a run is on
  // or about to start; when the run it was watching has ended, the page reloads to show the history.
  router.get('/mailings/:id/progress', can('mailings:read', 'mailings:oversee'), async (req, res) => {
    const mailing = await viewMailing(currentUser(req), idParam(req));
    const activeRun = await activeRunOf(mailing);
    res.set('Cache-Control', 'no-store');
    const latestRun = activeRun ?? (await runsOf(mailing, 1))[0];
    const watched = typeof req.query.run === 'string' ? req.query.run : undefined;
    // A page waiting for a run to start knows the newest run it shows (`since`); a newer one, even one that has
    // already ended between two polls, reloads the page too, so its history shows it.
    const since = typeof req.query.since === 'string' ? req.query.since : undefined;
    if (
      (watched && watched !== String(activeRun?.id)) ||
      (since !== undefined && since !== String(latestRun?.id ?? 0))
    ) {
      res.set('HX-Refresh', 'true');
    }
    res.render('mailings/_progress', { mailing, activeRun, progressRun: latestRun });
  });

  router.get('/mailings/:id/edit', can('mailings:write'), async (req, res) => {
    const user = currentUser(req);
    const mailing = await findMailing(user, idParam(req));
    await renderForm(req, res, {
      mailingId: mailing.id,
      values: {
        name: mailing.name,
        messageId: mailing.messageId,
        clientIds: (await clientIdsOf(mailing)).map(String),
        startAt: toLocalDateTimeInput(mailing.startAt, user.timeZone),
        endAt: toLocalDateTimeInput(mailing.endAt, user.timeZone),
        periodicity: mailing.periodicity,
        timeZone: mailing.timeZone,
      },
    });
  });
  router.post('/mailings/:id', can('mailings:write'), async (req, res) => {
    const mailing = await findMailing(currentUser(req), idParam(req));
    await saveFromForm(req, res, mailing.id);
  });

  router.post('/mailings/:id/delete', can('mailings:write'), async (req, res) => {
    const mailing = await findMailing(currentUser(req), idParam(req));
    if (!confirmedOrAsk(req, res, { question: req.t('mailings.confirmDelete'), back: `/mailings/${mailing.id}` }))
      return;
    await deleteMailing(sequelize, currentUser(req), mailing.id);
    flash(req, 'success', req.t('mailings.deleted'));
    redirectAfterAction(req, res, '/mailings');
  });

  router.post('/mailings/:id/send', can('mailings:send'), async (req, res) => {
    const run = await sendNow(sequelize, currentUser(req), idParam(req));
    flash(req, 'success', req.t('mailings.sendStarted', { run: run.id }));
    redirectAfterAction(req, res, `/mailings/${run.mailingId}`);
  });

  router.post('/mailings/:id/runs/:runId/:action', can('mailings:send'), async (req, res) => {
    const action = routeParam(req, 'action');
    if (!(RUN_ACTIONS as readonly string[]).includes(action)) throw new NotFoundError();
    const mailingId = idParam(req);
    await actOnRun(sequelize, currentUser(req), mailingId, idParam(req, 'runId'), action as RunAction);
    flash(req, 'success', req.t(`mailings.runDone.${action}`));
    redirectAfterAction(req, res, `/mailings/${mailingId}`);
  });

  // A manager stops a mailing (its timers and the run under way) or lets it run again; the reason is kept.
  router.post('/mailings/:id/disable', can('mailings:oversee'), async (req, res) => {
    const reason = lineParam((req.body as Record<string, unknown> | undefined)?.reason, REASON_MAX);
    await setDisabledByManager(sequelize, currentUser(req), idParam(req), true, reason);
    flash(req, 'success', req.t('mailings.disabledDone'));
    redirectAfterAction(req, res, `/mailings/${idParam(req)}`);
  });
  router.post('/mailings/:id/enable', can('mailings:oversee'), async (req, res) => {
    await setDisabledByManager(sequelize, currentUser(req), idParam(req), false, '');
    flash(req, 'success', req.t('mailings.enabledDone'));
    redirectAfterAction(req, res, `/mailings/${idParam(req)}`);
  });

  return router;
}

function listFiltersOf(query: Request['query']): MailingListFilters {
  const ownerId = typeof query.owner === 'string' && /^[1-9]\d{0,15}$/.test(query.owner) ? Number(query.owner) : null;
  const status = (MAILING_STATUSES as readonly unknown[]).includes(query.status)
    ? (query.status as MailingStatus)
    : null;
  return { ownerId, status };
}
