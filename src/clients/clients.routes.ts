// The clients door: a searchable list, the form, delete, CSV import (upload, preview, commit) and CSV export.
import { Router, type Request, type Response } from 'express';
import type { Sequelize } from 'sequelize';
import type { Client } from '../db/models/index.js';
import { ValidationError } from '../errors.js';
import { can, currentUser } from '../web/middleware/current-user.js';
import { flash } from '../web/middleware/flash.js';
import { renderPageOrFragment } from '../web/middleware/htmx.js';
import { parseForm, type FieldErrors } from '../forms/parse-form.js';
import { submittedValues } from '../web/forms.js';
import { pageOf } from '../web/pagination.js';
import { idParam, searchParam } from '../web/params.js';
import { confirmedOrAsk } from '../web/confirm.js';
import { redirectAfterAction } from '../web/redirects.js';
import { clientForm } from './client.form.js';
import { clientsToCsv, decodeCsv, type CheckedRow, type CsvProblem, type ImportSummary } from './clients-csv.js';
import {
  checkImport,
  countClients,
  createClient,
  deleteClient,
  exportClients,
  findClient,
  importClients,
  listClients,
  updateClient,
} from './clients.service.js';

/** Registers /clients routes; the import needs the connection for its transaction. */
export function clientRoutes({ sequelize }: { sequelize: Sequelize }): Router {
  const router = Router();

  router.get('/clients', can('clients:read'), async (req, res) => {
    const owner = currentUser(req);
    const q = searchParam(req.query.q);
    const page = pageOf(req.query.page, await countClients(owner, q));
    const rows = await listClients(owner, q, page);
    renderPageOrFragment(
      req,
      res,
      { page: 'clients/index', fragment: 'clients/_rows' },
      { title: req.t('clients.title'), rows, page, q },
    );
  });

  router.get('/clients/export.csv', can('clients:read'), async (req, res) => {
    const csv = clientsToCsv(await exportClients(currentUser(req)));
    res.set('Content-Disposition', 'attachment; filename="clients.csv"');
    res.set('Cache-Control', 'no-store');
    res.type('text/csv; charset=utf-8').send(csv);
  });

  const renderImport = (req: Request, res: Response, problem?: CsvProblem, status = 200): void => {
    res.status(status).render('clients/import', { title: req.t('clients.import.title'), problem });
  };
  const renderPreview = (
    req: Request,
    res: Response,
    locals: { csv: string; rows: CheckedRow[]; summary: ImportSummary; problem?: CsvProblem },
    status = 200,
  ): void => {
    res.status(status).render('clients/preview', { title: req.t('clients.import.previewTitle'), ...locals });
  };

  router.get('/clients/import', can('clients:write'), (req, res) => renderImport(req, res));
  router.post('/clients/import/preview', can('clients:write'), async (req, res) => {
    if (!req.file || req.file.size === 0) return renderImport(req, res, { key: 'forms.fileRequired' }, 422);
    const decoded = decodeCsv(req.file.buffer);
    if (!decoded.ok) return renderImport(req, res, decoded.problem, 422);
    const check = await checkImport(currentUser(req), decoded.text);
    if (!check.ok) return renderImport(req, res, check.problem, 422);
    renderPreview(req, res, { csv: decoded.text, rows: check.rows, summary: check.summary });
  });
  router.post('/clients/import', can('clients:write'), async (req, res) => {
    const owner = currentUser(req);
    const csv = (req.body as Record<string, unknown> | undefined)?.csv;
    if (typeof csv !== 'string') return renderImport(req, res, { key: 'forms.fileRequired' }, 422);
    const result = await importClients(sequelize, owner, csv);
    if (!result.ok) {
      // The file read before but the book changed meanwhile: show the check again, as it is now.
      const check = await checkImport(owner, csv);
      if (!check.ok) return renderImport(req, res, check.problem, 422);
      return renderPreview(req, res, { csv, rows: check.rows, summary: check.summary, problem: result.problem }, 409);
    }
    const { imported, summary } = result;
    flash(req, 'success', req.t('clients.import.done', { count: imported, skipped: summary.skipped }));
    redirectAfterAction(req, res, '/clients');
  });

  const renderForm = (
    req: Request,
    res: Response,
    locals: { values: Record<string, unknown>; errors?: FieldErrors; client?: Client },
    status = 200,
  ): void => {
    res.status(status).render('clients/form', {
      title: req.t(locals.client ? 'clients.editTitle' : 'clients.newTitle'),
      errors: {},
      ...locals,
    });
  };

  router.get('/clients/new', can('clients:write'), (req, res) => renderForm(req, res, { values: {} }));
  router.post('/clients', can('clients:write'), async (req, res) => {
    const form = parseForm(clientForm, req.body);
    const values = submittedValues(req.body);
    if (!form.ok) return renderForm(req, res, { values, errors: form.errors }, 422);
    const errors = await fieldErrorsOf(() => createClient(currentUser(req), form.data));
    if (errors) return renderForm(req, res, { values, errors }, 422);
    flash(req, 'success', req.t('clients.created'));
    redirectAfterAction(req, res, '/clients');
  });

  router.get('/clients/:id/edit', can('clients:write'), async (req, res) => {
    const client = await findClient(currentUser(req), idParam(req));
    renderForm(req, res, { values: client.get({ plain: true }), client });
  });
  router.post('/clients/:id', can('clients:write'), async (req, res) => {
    const owner = currentUser(req);
    const client = await findClient(owner, idParam(req));
    const locals = { values: submittedValues(req.body), client };
    const form = parseForm(clientForm, req.body);
    if (!form.ok) return renderForm(req, res, { ...locals, errors: form.errors }, 422);
    const errors = await fieldErrorsOf(() => updateClient(owner, client.id, form.data));
    if (errors) return renderForm(req, res, { ...locals, errors }, 422);
    flash(req, 'success', req.t('clients.saved'));
    redirectAfterAction(req, res, '/clients');
  });

  router.post('/clients/:id/delete', can('clients:write'), async (req, res) => {
    const client = await findClient(currentUser(req), idParam(req));
    const question = req.t('clients.confirmDelete', { email: client.email });
    if (!confirmedOrAsk(req, res, { question, back: '/clients' })) return;
    await deleteClient(currentUser(req), client.id);
    flash(req, 'success', req.t('clients.deleted'));
    redirectAfterAction(req, res, '/clients');
  });

  return router;
}

// A rule broken by the saved data (the e-mail is taken) comes back as field errors for the form.
async function fieldErrorsOf(action: () => Promise<unknown>): Promise<FieldErrors | undefined> {
  try {
    await action();
    return undefined;
  } catch (err) {
    if (err instanceof ValidationError) return err.fieldErrors;
    throw err;
  }
}
