// The account's data archive: one ZIP of CSV files (clients, messages, mailings, runs, the delivery log of those
// runs), streamed entry by entry. Each file is written by the export it shares with its own screen (the address
// book's, the report's), so a column means the same everywhere; only the user's own records are read.
import { finished } from 'node:stream/promises';
import { PassThrough, type Writable } from 'node:stream';
import { Op } from 'sequelize';
import { ZipFile } from 'yazl';
import { Mailing, MailingClient, Message, type User } from '../db/models/index.js';
import { csvDateTime, writeCsv } from '../csv-export.js';
import { clientCells, EXPORT_COLUMNS } from '../clients/clients-csv.js';
import { clientChunks } from '../clients/clients.service.js';
import { DELIVERY_COLUMNS, RUN_COLUMNS, writeColumnsCsv, type Columns, type CsvReader } from '../reports/report-csv.js';
import {
  deliveryChunks,
  EXPORT_CHUNK,
  ownRunChunks,
  type ExportedDelivery,
  type RunRow,
} from '../reports/reports.service.js';

/** The names of the archive's files, in the order they are written. */
export const ARCHIVE_FILES = ['clients.csv', 'messages.csv', 'mailings.csv', 'runs.csv', 'deliveries.csv'] as const;

/** A mailing as the archive lists it: the mailing, its message's subject, and how many clients it names. */
interface MailingRow {
  mailing: Mailing;
  chosenClients: number;
}

/** One line of the delivery log: the run it belongs to and the delivery. */
interface LogRow {
  run: RunRow;
  delivery: ExportedDelivery;
}

const MESSAGE_COLUMNS: Columns<Message> = [
  ['accountData.columns.id', (message) => message.id],
  ['accountData.columns.subject', (message) => message.subject],
  ['accountData.columns.bodyText', (message) => message.bodyText],
  ['accountData.columns.bodyHtml', (message) => message.bodyHtml],
  ['accountData.columns.createdAt', (message, zone) => csvDateTime(message.createdAt, zone)],
];

const MAILING_COLUMNS: Columns<MailingRow> = [
  ['accountData.columns.id', ({ mailing }) => mailing.id],
  ['accountData.columns.name', ({ mailing }) => mailing.name],
  ['accountData.columns.subject', ({ mailing }) => mailing.message?.subject ?? ''],
  ['accountData.columns.startAt', ({ mailing }, zone) => csvDateTime(mailing.startAt, zone)],
  ['accountData.columns.endAt', ({ mailing }, zone) => csvDateTime(mailing.endAt, zone)],
  ['accountData.columns.periodicity', ({ mailing }, _zone, t) => t(`mailings.periodicity.${mailing.periodicity}`)],
  ['accountData.columns.timeZone', ({ mailing }) => mailing.timeZone],
  [
    'accountData.columns.status',
    ({ mailing }, _zone, t) => t(`mailings.status.${mailing.isDisabled ? 'disabled' : mailing.status}`),
  ],
  [
    'accountData.columns.recipients',
    ({ mailing, chosenClients }, _zone, t) => (mailing.allClients ? t('mailings.everyClient') : chosenClients),
  ],
];

const LOG_COLUMNS: Columns<LogRow> = [
  // The run as runs.csv names it: its mailing and its number within that mailing.
  ['reports.columns.mailing', (row) => row.run.mailingName],
  ['reports.columns.run', (row) => row.run.number],
  ...DELIVERY_COLUMNS.map(
    ([key, cell]) => [key, (row: LogRow, zone: string, t: CsvReader['t']) => cell(row.delivery, zone, t)] as const,
  ),
];

/** Rows of one query, by id, a chunk per round trip (keyset: no OFFSET drift while rows change). */
async function* idChunks<T extends { id: number }>(find: (afterId: number) => Promise<T[]>): AsyncGenerator<T[]> {
  let afterId = 0;
  for (;;) {
    const chunk = await find(afterId);
    if (chunk.length > 0) yield chunk;
    const last = chunk[chunk.length - 1];
    if (!last || chunk.length < EXPORT_CHUNK) return;
    afterId = last.id;
  }
}

function messageChunks(owner: User): AsyncGenerator<Message[]> {
  return idChunks((afterId) =>
    Message.findAll({
      where: { ownerId: owner.id, id: { [Op.gt]: afterId } },
      order: [['id', 'ASC']],
      limit: EXPORT_CHUNK,
    }),
  );
}

async function* mailingChunks(owner: User): AsyncGenerator<MailingRow[]> {
  const mailings = idChunks((afterId) =>
    Mailing.findAll({
      where: { ownerId: owner.id, id: { [Op.gt]: afterId } },
      include: [{ model: Message, as: 'message', attributes: ['subject'] }],
      order: [['id', 'ASC']],
      limit: EXPORT_CHUNK,
    }),
  );
  for await (const chunk of mailings) {
    const counts = (await MailingClient.count({
      where: { mailingId: { [Op.in]: chunk.map((mailing) => mailing.id) } },
      group: ['mailingId'],
    })) as unknown as { mailingId: number; count: number }[];
    const byMailing = new Map(counts.map((row) => [Number(row.mailingId), Number(row.count)]));
    yield chunk.map((mailing) => ({ mailing, chosenClients: byMailing.get(mailing.id) ?? 0 }));
  }
}

async function* logChunks(owner: User): AsyncGenerator<LogRow[]> {
  for await (const runs of ownRunChunks(owner)) {
    for (const run of runs) {
      for await (const deliveries of deliveryChunks(run, null)) {
        yield deliveries.map((delivery) => ({ run, delivery }));
      }
    }
  }
}

/** How each of ARCHIVE_FILES is written, in the reader's language and zone. */
function fileWriters(owner: User, reader: CsvReader): ((out: Writable) => Promise<void>)[] {
  return [
    (out) => writeCsv(out, EXPORT_COLUMNS, clientChunks(owner), (client) => clientCells(client, reader.zone)),
    (out) => writeColumnsCsv(out, reader, MESSAGE_COLUMNS, messageChunks(owner)),
    (out) => writeColumnsCsv(out, reader, MAILING_COLUMNS, mailingChunks(owner)),
    (out) => writeColumnsCsv(out, reader, RUN_COLUMNS, ownRunChunks(owner)),
    (out) => writeColumnsCsv(out, reader, LOG_COLUMNS, logChunks(owner)),
  ];
}

/**
 * Streams the owner's archive into `out` (the response, its headers already set). The files are written one
 * after the other as the ZIP reads them; a reader who goes away stops the writing.
 */
export async function writeDataArchive(out: Writable, owner: User, reader: CsvReader): Promise<void> {
  const zip = new ZipFile();
  const entries = ARCHIVE_FILES.map((name) => {
    const stream = new PassThrough();
    zip.addReadStream(stream, name, { mtime: new Date() });
    return stream;
  });
  zip.end();
  zip.outputStream.pipe(out);
  out.once('close', () => entries.forEach((entry) => entry.destroy()));
  const writers = fileWriters(owner, reader);
  for (const [index, entry] of entries.entries()) {
    if (out.destroyed) return;
    await writers[index]?.(entry);
  }
  // A reader who went away is not an error of ours.
  await finished(out).catch(() => undefined);
}
