// The background import's door: the upload (stored on disk by the app's import multer), the progress page that
// htmx polls every second while the import runs (any web process answers it from the import's row), and the
// skipped rows as a CSV download (stored in the row too).
import path from 'node:path';
import type { Request, RequestHandler, Response, Router } from 'express';
import type { Sequelize } from 'sequelize';
import type { Config } from '../config.js';
import { writeCsv } from '../csv-export.js';
import type { Logger } from '../logger.js';
import { can, currentUser } from '../web/middleware/current-user.js';
import { renderPageOrFragment } from '../web/middleware/htmx.js';
import { idParam } from '../web/params.js';
import { redirectAfterAction } from '../web/redirects.js';
import { routeTable } from '../web/route-table.js';
import {
  discardUpload,
  findClientImport,
  importErrorRows,
  queueClientImport,
  viewOfImport,
  type ImportErrorRow,
} from './client-imports.service.js';

/** Where the app stores an import's upload on disk (multer), under the upload folder but outside /uploads. */
export const CLIENT_IMPORT_UPLOAD_PATH = '/clients/imports';
/** The largest import file: about 4 million rows of e-mail, name and a short comment. */
export const CLIENT_IMPORT_MAX_BYTES = 256 * 1024 * 1024;

/** The folder of the uploads waiting for their import. */
export function importFolder(uploadDir: string): string {
  return path.join(uploadDir, 'imports');
}

interface ImportRouteDeps {
  sequelize: Sequelize;
  config: Pick<Config, 'clientImportStaleSeconds'>;
  logger?: Logger;
}

/** Registers the background import's routes. */
export function clientImportRoutes({ sequelize, config, logger }: ImportRouteDeps): Router {
  const write = can('clients:write');
  const staleMs = config.clientImportStaleSeconds * 1000;
  return routeTable([
    ['post', CLIENT_IMPORT_UPLOAD_PATH, write, startImport(sequelize, logger)],
    ['get', '/clients/imports/:id', write, progressPage(staleMs)],
    ['get', '/clients/imports/:id/errors.csv', write, errorsCsv(staleMs)],
  ]);
}

function startImport(sequelize: Sequelize, logger?: Logger): RequestHandler {
  return async (req, res) => {
    const upload = req.file;
    if (!upload?.path || upload.size === 0) {
      await discardUpload(upload);
      res.status(422).render('clients/import', {
        title: req.t('clients.import.title'),
        problem: { key: 'forms.fileRequired' },
      });
      return;
    }
    const job = await queueClientImport(sequelize, currentUser(req), upload, logger);
    redirectAfterAction(req, res, `/clients/imports/${job.id}`);
  };
}

function progressPage(staleMs: number): RequestHandler {
  return async (req, res) => {
    const job = viewOfImport(await findClientImport(currentUser(req), idParam(req), staleMs));
    res.set('Cache-Control', 'no-store');
    renderPageOrFragment(
      req,
      res,
      { page: 'clients/import-progress', fragment: 'clients/_import-progress' },
      { title: req.t('clientImports.title'), job },
    );
  };
}

function errorsCsv(staleMs: number): RequestHandler {
  return (req, res) => writeErrorsCsv(req, res, staleMs);
}

async function writeErrorsCsv(req: Request, res: Response, staleMs: number): Promise<void> {
  const owner = currentUser(req);
  const id = idParam(req);
  await findClientImport(owner, id, staleMs);
  const reason = (row: ImportErrorRow): string => {
    if (row.key === 'duplicate' || row.key === 'exists') return req.t(`clientImports.reasons.${row.key}`);
    const field = ['email', 'fullName', 'comment'].includes(row.field) ? req.t(`clients.fields.${row.field}`) : '';
    return field ? `${field}: ${req.t(row.key)}` : req.t(row.key);
  };
  await writeCsv(
    res,
    [req.t('clientImports.report.row'), req.t('clientImports.report.email'), req.t('clientImports.report.reason')],
    importErrorRows(owner, id),
    (row) => [row.row, row.email, reason(row)],
    () => {
      res.set('Content-Disposition', `attachment; filename="import-${id}-errors.csv"`);
      res.set('Cache-Control', 'no-store');
      res.type('text/csv; charset=utf-8');
    },
  );
}
