// The suppression list's door: the list (a customer's own; everyone's for managers and admins) with search, a
// reason filter and pages, an address added by hand, a CSV file of them, and removing one.
import type { Request, Response, Router } from 'express';
import { SUPPRESSION_REASONS } from '../db/models/index.js';
import { roleCan } from '../permissions.js';
import { can, currentUser } from '../web/middleware/current-user.js';
import { flash } from '../web/middleware/flash.js';
import { renderPageOrFragment } from '../web/middleware/htmx.js';
import { formAction, type FormSpec, type FormView } from '../web/forms.js';
import { listHref } from '../web/list-links.js';
import { pageOf } from '../web/pagination.js';
import { idOf, idParam, searchParam } from '../web/params.js';
import { confirmedOrAsk } from '../web/confirm.js';
import { redirectAfterAction } from '../web/redirects.js';
import { routeTable } from '../web/route-table.js';
import { reasonOf, suppressionForm, type SuppressionFilters, type SuppressionInput } from './suppression.form.js';
import { importSuppressions, type ImportResult } from './suppression-import.js';
import {
  addSuppression,
  countSuppressions,
  findSuppression,
  listSuppressions,
  removeSuppression,
  suppressionOwners,
} from './suppressions.service.js';

/** Registers /suppressions; reading everyone's needs suppressions:oversee, changing needs suppressions:write. */
export function suppressionRoutes(): Router {
  const read = can('suppressions:read', 'suppressions:oversee');
  const write = can('suppressions:write');
  return routeTable([
    ['get', '/suppressions', read, (req, res) => listPage(req, res)],
    ['post', '/suppressions', write, formAction(NEW_SUPPRESSION, add)],
    ['post', '/suppressions/import', write, upload],
    ['post', '/suppressions/:id/delete', write, remove],
  ]);
}

const EMPTY: FormView = { values: {}, errors: {} };
const NEW_SUPPRESSION: FormSpec<typeof suppressionForm> = {
  schema: suppressionForm,
  rerender: (req, res, view) => listPage(req, res, { form: view }),
};

function filtersOf(req: Request): SuppressionFilters {
  return { search: searchParam(req.query.q), reason: reasonOf(req.query.reason), ownerId: idOf(req.query.owner) };
}

/** The list page (or, for htmx, its rows), with the add form's and the upload's answers when they have some. */
async function listPage(
  req: Request,
  res: Response,
  answers: { form?: FormView; upload?: Extract<ImportResult, { ok: false }> } = {},
): Promise<void> {
  const viewer = currentUser(req);
  const overseer = roleCan(viewer.role, 'suppressions:oversee');
  const filters = filtersOf(req);
  const page = pageOf(req.query.page, await countSuppressions(viewer, filters));
  const shown = { q: filters.search, reason: filters.reason, owner: overseer ? filters.ownerId : null };
  renderPageOrFragment(
    req,
    res,
    { page: 'suppressions/index', fragment: 'suppressions/_rows' },
    {
      title: req.t('suppressions.title'),
      rows: await listSuppressions(viewer, filters, page),
      page,
      filters,
      overseer,
      owners: overseer ? await suppressionOwners() : [],
      reasons: SUPPRESSION_REASONS,
      href: listHref('/suppressions', { ...shown, page: page.number }),
      form: answers.form ?? EMPTY,
      upload: answers.upload ?? null,
    },
  );
}

async function add(req: Request, res: Response, input: SuppressionInput): Promise<void> {
  await addSuppression(currentUser(req), input);
  flash(req, 'success', req.t('suppressions.added', { email: input.email.toLowerCase() }));
  redirectAfterAction(req, res, '/suppressions');
}

// A file with any bad row adds nothing: the page shows the rows to fix (422).
async function upload(req: Request, res: Response): Promise<void> {
  if (!req.file || req.file.size === 0) {
    const missing = { ok: false as const, problem: { key: 'forms.fileRequired' }, rows: [] };
    return listPage(req, res.status(422), { upload: missing });
  }
  const result = await importSuppressions(currentUser(req), req.file.buffer);
  if (!result.ok) return listPage(req, res.status(422), { upload: result });
  flash(
    req,
    'success',
    req.t('suppressions.import.done', { count: result.added, listed: result.listed + result.repeated }),
  );
  redirectAfterAction(req, res, '/suppressions');
}

async function remove(req: Request, res: Response): Promise<void> {
  const entry = await findSuppression(currentUser(req), idParam(req));
  const question = req.t('suppressions.confirmRemove', { email: entry.address });
  if (!confirmedOrAsk(req, res, { question, back: '/suppressions', confirmLabel: req.t('suppressions.remove') }))
    return;
  await removeSuppression(currentUser(req), entry.id);
  flash(req, 'success', req.t('suppressions.removed', { email: entry.address }));
  redirectAfterAction(req, res, '/suppressions');
}
