// The clients door: a searchable list, the form, delete, CSV import (upload, preview, commit) and CSV export.
import type { Request, RequestHandler, Response, Router } from 'express';
import type { Sequelize } from 'sequelize';
import type { Client } from '../db/models/index.js';
import { can, currentUser } from '../web/middleware/current-user.js';
import { flash } from '../web/middleware/flash.js';
import { renderPageOrFragment } from '../web/middleware/htmx.js';
import { formAction, type FormSpec, type FormView } from '../web/forms.js';
import { pageOf } from '../web/pagination.js';
import { idParam, searchParam } from '../web/params.js';
import { confirmedOrAsk } from '../web/confirm.js';
import { redirectAfterAction } from '../web/redirects.js';
import { routeTable } from '../web/route-table.js';
import { clientForm, type ClientInput } from './client.form.js';
import { writeCsv } from '../csv-export.js';
import { suppressionsOf } from '../suppressions/suppressions.service.js';
import {
  clientCells,
  decodeCsv,
  EXPORT_COLUMNS,
  type CheckedRow,
  type CsvProblem,
  type ImportSummary,
} from './clients-csv.js';
import {
  checkImport,
  countClients,
  createClient,
  deleteClient,
  clientChunks,
  findClient,
  importClients,
  listClients,
  updateClient,
} from './clients.service.js';

/** Registers /clients routes; the import needs the connection for its transaction. */
export function clientRoutes({ sequelize }: { sequelize: Sequelize }): Router {
  const read = can('clients:read');
  const write = can('clients:write');
  return routeTable([
    ['get', '/clients', read, listPage],
    ['get', '/clients/export.csv', read, exportCsv],
    ['get', '/clients/import', write, (req, res) => renderImport(req, res)],
    ['post', '/clients/import/preview', write, previewImport],
    ['post', '/clients/import', write, commitImport(sequelize)],
    ['get', '/clients/new', write, (req, res) => renderForm(req, res, { values: {}, errors: {} })],
    ['post', '/clients', write, formAction(NEW_CLIENT, create)],
    ['get', '/clients/:id/edit', write, editPage],
    ['post', '/clients/:id', write, formAction(EDITED_CLIENT, update)],
    ['post', '/clients/:id/delete', write, remove],
  ]);
}

async function listPage(req: Request, res: Response): Promise<void> {
  const owner = currentUser(req);
  const q = searchParam(req.query.q);
  const page = pageOf(req.query.page, await countClients(owner, q));
  const rows = await listClients(owner, q, page);
  const suppressed = await suppressionsOf(
    owner,
    rows.map((client) => client.email),
  );
  const locals = { title: req.t('clients.title'), rows, page, q, suppressed };
  renderPageOrFragment(req, res, { page: 'clients/index', fragment: 'clients/_rows' }, locals);
}

// Streamed with a byte-order mark (spreadsheets then read the Cyrillic), dates in the user's zone.
async function exportCsv(req: Request, res: Response): Promise<void> {
  const owner = currentUser(req);
  await writeCsv(
    res,
    EXPORT_COLUMNS,
    clientChunks(owner),
    (client) => clientCells(client, owner.timeZone),
    () => {
      res.set('Content-Disposition', 'attachment; filename="clients.csv"');
      res.set('Cache-Control', 'no-store');
      res.type('text/csv; charset=utf-8');
    },
  );
}

function renderImport(req: Request, res: Response, problem?: CsvProblem): void {
  res.render('clients/import', { title: req.t('clients.import.title'), problem });
}

type PreviewLocals = { csv: string; rows: CheckedRow[]; summary: ImportSummary; problem?: CsvProblem };

function renderPreview(req: Request, res: Response, locals: PreviewLocals): void {
  res.render('clients/preview', { title: req.t('clients.import.previewTitle'), ...locals });
}

async function previewImport(req: Request, res: Response): Promise<void> {
  if (!req.file || req.file.size === 0) return renderImport(req, res.status(422), { key: 'forms.fileRequired' });
  const decoded = decodeCsv(req.file.buffer);
  if (!decoded.ok) return renderImport(req, res.status(422), decoded.problem);
  const check = await checkImport(currentUser(req), decoded.text);
  if (!check.ok) return renderImport(req, res.status(422), check.problem);
  renderPreview(req, res, { csv: decoded.text, rows: check.rows, summary: check.summary });
}

function commitImport(sequelize: Sequelize): RequestHandler {
  return async (req, res) => {
    const owner = currentUser(req);
    const csv = (req.body as Record<string, unknown> | undefined)?.csv;
    if (typeof csv !== 'string') return renderImport(req, res.status(422), { key: 'forms.fileRequired' });
    const result = await importClients(sequelize, owner, csv);
    if (!result.ok) {
      // The file read before but the book changed meanwhile: show the check again, as it is now.
      const check = await checkImport(owner, csv);
      if (!check.ok) return renderImport(req, res.status(422), check.problem);
      return renderPreview(req, res.status(409), {
        csv,
        rows: check.rows,
        summary: check.summary,
        problem: result.problem,
      });
    }
    flash(req, 'success', req.t('clients.import.done', { count: result.imported, skipped: result.summary.skipped }));
    redirectAfterAction(req, res, '/clients');
  };
}

function renderForm(req: Request, res: Response, view: FormView & { client?: Client }): void {
  res.render('clients/form', { title: req.t(view.client ? 'clients.editTitle' : 'clients.newTitle'), ...view });
}

const NEW_CLIENT: FormSpec<typeof clientForm> = { schema: clientForm, rerender: renderForm };
const EDITED_CLIENT: FormSpec<typeof clientForm> = {
  schema: clientForm,
  rerender: async (req, res, view) =>
    renderForm(req, res, { ...view, client: await findClient(currentUser(req), idParam(req)) }),
};

async function create(req: Request, res: Response, input: ClientInput): Promise<void> {
  await createClient(currentUser(req), input);
  flash(req, 'success', req.t('clients.created'));
  redirectAfterAction(req, res, '/clients');
}

async function editPage(req: Request, res: Response): Promise<void> {
  const client = await findClient(currentUser(req), idParam(req));
  renderForm(req, res, { values: client.get({ plain: true }), errors: {}, client });
}

async function update(req: Request, res: Response, input: ClientInput): Promise<void> {
  await updateClient(currentUser(req), idParam(req), input);
  flash(req, 'success', req.t('clients.saved'));
  redirectAfterAction(req, res, '/clients');
}

async function remove(req: Request, res: Response): Promise<void> {
  const client = await findClient(currentUser(req), idParam(req));
  const question = req.t('clients.confirmDelete', { email: client.email });
  if (!confirmedOrAsk(req, res, { question, back: '/clients' })) return;
  await deleteClient(currentUser(req), client.id);
  flash(req, 'success', req.t('clients.deleted'));
  redirectAfterAction(req, res, '/clients');
}
