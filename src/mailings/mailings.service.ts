// Mailing rules for the customer site: every query is scoped to the owner; the schedule is kept true through
// the delivery engine (refreshMailing), and run actions act only on the owner's runs.
import { Op, QueryTypes, literal, type Sequelize, type WhereOptions } from 'sequelize';
import { boundDatabase, Client, Mailing, MailingRun, Message, User, type MailingStatus } from '../db/models/index.js';
import { columnOf, columnsOf, instanceFrom } from '../db/raw-rows.js';
import { searchTextContains } from '../db/search-text.js';
import { orderOf, type SortColumn } from '../forms/list-sort.js';
import { seesEveryMailing } from '../permissions.js';
import { ValidationError, found } from '../errors.js';
import { deliveryEvents } from '../delivery/events.js';
import { refreshMailing, setMailingDisabled, startRunNow, type DisabledChange } from '../delivery/mailing-lifecycle.js';
import { ACTIVE_RUN_STATES, cancelRun, pauseRun, resumeRun, retryDeliveries } from '../delivery/runs.js';
import { countRecipients } from '../delivery/recipients.js';
import { identityOptions, identityProblem, type IdentityOption } from '../domains/identities.service.js';
import { MAILING_SORT_DEFAULT, type MailingInput, type MailingSort, type MailingSortKey } from './mailing.form.js';

export interface MailingRow {
  mailing: Mailing;
  lastRun: MailingRun | null;
}

/** A disabled mailing shows that one state, whatever its status: the list filters by it the same way. */
export type MailingListState = MailingStatus | 'disabled';

export interface MailingListFilters {
  ownerId?: number | null;
  status?: MailingListState | null;
  /** Words looked for in the name, any case in any script. */
  search?: string;
}

// A state's rank (under way, waiting, done, disabled), and "no next run" after every date in ascending order: the
// same order on both databases (they place NULLs differently). Qualified: the list joins the owner in.
const MAILING_ORDER: Record<MailingSortKey, readonly SortColumn[]> = {
  name: ['searchText', 'name'],
  created: ['createdAt'],
  nextRun: [literal('CASE WHEN "Mailing"."next_run_at" IS NULL THEN 1 ELSE 0 END'), 'nextRunAt'],
  state: [
    literal(
      `CASE WHEN "Mailing"."is_disabled" = true THEN 3 WHEN "Mailing"."status" = 'running' THEN 0 ` +
        `WHEN "Mailing"."status" = 'created' THEN 1 ELSE 2 END`,
    ),
  ],
};

/** Which mailings a viewer may see: a customer their own, a manager everyone's (optionally one owner's). */
function visibleWhere(viewer: User, filters: MailingListFilters = {}): WhereOptions<Mailing> {
  const ownerId = seesEveryMailing(viewer.role) ? filters.ownerId : viewer.id;
  // `Mailing.` because the list joins the owner (a User, with a search text of its own) in.
  const match = searchTextContains(boundDatabase(), 'Mailing.search_text', filters.search ?? '');
  return { ...(ownerId ? { ownerId } : {}), ...stateWhere(filters.status), ...(match ? { [Op.and]: [match] } : {}) };
}

function stateWhere(state: MailingListState | null | undefined): WhereOptions<Mailing> {
  if (!state) return {};
  return state === 'disabled' ? { isDisabled: true } : { status: state, isDisabled: false };
}

const OWNER_SUMMARY = {
  model: User,
  as: 'owner',
  attributes: ['id', 'email', 'fullName', 'isBlocked', 'blockedReason'],
};

/**
 * The mailings the viewer may see (newest first by default), each with its latest run's counters, and its owner for
 * a manager (a customer's list is theirs alone and shows no owner).
 */
export async function listMailings(
  viewer: User,
  page: { offset: number; limit: number },
  filters: MailingListFilters = {},
  sort: MailingSort = MAILING_SORT_DEFAULT,
): Promise<MailingRow[]> {
  const mailings = await Mailing.findAll({
    where: visibleWhere(viewer, filters),
    include: seesEveryMailing(viewer.role) ? [OWNER_SUMMARY] : [],
    order: orderOf(sort, MAILING_ORDER),
    offset: page.offset,
    limit: page.limit,
  });
  const latest = await latestRuns(mailings.map((mailing) => mailing.id));
  return mailings.map((mailing) => ({ mailing, lastRun: latest.get(mailing.id) ?? null }));
}

let latestRunsSql: string | undefined;

// Only each mailing's newest run (a periodic mailing has hundreds): ranked in the database, one row per mailing, by
// a statement written once (a finder would rebuild it and map each value on every list).
async function latestRuns(mailingIds: number[]): Promise<Map<number, MailingRun>> {
  const latest = new Map<number, MailingRun>();
  if (mailingIds.length === 0) return latest;
  const table = MailingRun.getTableName() as string;
  const column = (attribute: string): string => `"${columnOf(MailingRun, attribute)}"`;
  latestRunsSql ??=
    `SELECT ${columnsOf(MailingRun, 'r')} FROM "${table}" r WHERE r."id" IN (SELECT ranked."id" FROM (SELECT "id",` +
    ` ROW_NUMBER() OVER (PARTITION BY ${column('mailingId')} ORDER BY ${column('scheduledAt')} DESC, "id" DESC) AS n` +
    ` FROM "${table}" WHERE ${column('mailingId')} IN (:ids)) ranked WHERE ranked.n = 1)`;
  const rows = await boundDatabase().query<Record<string, unknown>>(latestRunsSql, {
    type: QueryTypes.SELECT,
    replacements: { ids: mailingIds.map((id) => Math.trunc(Number(id))) },
  });
  for (const row of rows) {
    const run = instanceFrom(MailingRun, row);
    if (run) latest.set(run.mailingId, run);
  }
  return latest;
}

/** How many mailings the viewer may see with these filters (for the pager). */
export function countMailings(viewer: User, filters: MailingListFilters = {}): Promise<number> {
  return Mailing.count({ where: visibleWhere(viewer, filters) });
}

/** The owners a manager can filter the list by (everyone who has a mailing). */
export async function mailingOwners(): Promise<User[]> {
  const rows = (await Mailing.findAll({ attributes: ['ownerId'], group: ['ownerId'], raw: true })) as unknown as {
    ownerId: number;
  }[];
  return User.findAll({
    where: { id: rows.map((row) => row.ownerId) },
    attributes: ['id', 'email', 'fullName'],
    order: [['email', 'ASC']],
  });
}

/** A mailing the viewer may look at (their own; any for a manager), with its message, owner and who disabled it. */
export function viewMailing(viewer: User, id: number): Promise<Mailing> {
  const lookup = Mailing.findOne({
    where: { ...visibleWhere(viewer), id },
    include: [
      { model: Message, as: 'message' },
      OWNER_SUMMARY,
      { model: User, as: 'disabledBy', attributes: ['id', 'email', 'fullName'] },
    ],
  });
  return found(lookup);
}

/**
 * A manager disables a mailing (no new runs; a run under way is cancelled) or enables it again; says whether a
 * run was cancelled.
 */
export async function setDisabledByManager(
  sequelize: Sequelize,
  manager: User,
  id: number,
  disabled: boolean,
  reason: string,
): Promise<DisabledChange> {
  const mailing = await viewMailing(manager, id);
  return setMailingDisabled(sequelize, mailing.id, disabled, { userId: manager.id, reason: reason || undefined });
}

/** One of the owner's own mailings (for changes); someone else's id is a 404, even for a manager. */
export function findMailing(owner: Pick<User, 'id'>, id: number): Promise<Mailing> {
  return found(Mailing.findOne({ where: { id, ownerId: owner.id }, include: [{ model: Message, as: 'message' }] }));
}

/** The ids of the clients chosen for a mailing (none for an "all my clients" one). */
export async function clientIdsOf(mailing: Mailing): Promise<number[]> {
  return (await mailing.getClients({ attributes: ['id'], joinTableAttributes: [] })).map((client) => client.id);
}

/** How many clients the mailing's next run would go to, were it started now (the run's own rule). */
export function nextRunRecipientCount(mailing: Mailing): Promise<number> {
  return countRecipients(mailing.sequelize, mailing);
}

/** What the form offers: the owner's messages, clients and identities (`current`: the one the mailing has). */
export interface FormChoices {
  messages: Message[];
  clients: Client[];
  identities: IdentityOption[];
}

/** The owner's messages, clients and identities (on verified domains, and the mailing's own) to choose from. */
export async function formChoices(owner: User, currentIdentityId: number | null = null): Promise<FormChoices> {
  const [messages, clients, identities] = await Promise.all([
    Message.findAll({ where: { ownerId: owner.id }, order: [['subject', 'ASC']], attributes: ['id', 'subject'] }),
    Client.findAll({
      where: { ownerId: owner.id },
      order: [['email', 'ASC']],
      attributes: ['id', 'email', 'fullName', 'unsubscribedAt'],
    }),
    identityOptions(owner, currentIdentityId),
  ]);
  return { messages, clients, identities };
}

/**
 * Checks the message, clients and identity are the owner's (identityProblem: on a verified domain, unless it is the
 * mailing's own already); returns the client ids to store: none for "all my clients", a rule each run reads anew
 * (the owner needs one client at least).
 */
async function resolveChoices(owner: User, input: MailingInput, current: Mailing | null = null): Promise<number[]> {
  const errors: Record<string, string> = {};
  const identity = await identityProblem(owner, input.senderIdentityId, current?.senderIdentityId ?? null);
  if (identity) errors.senderIdentityId = identity;
  if (!(await Message.findOne({ where: { id: input.messageId, ownerId: owner.id }, attributes: ['id'] }))) {
    errors.messageId = 'forms.chooseOne';
  }
  const where = input.allClients ? { ownerId: owner.id } : { ownerId: owner.id, id: { [Op.in]: input.clientIds } };
  const limit = input.allClients ? { limit: 1 } : {};
  const clientIds = (await Client.findAll({ where, attributes: ['id'], ...limit })).map((client) => client.id);
  if (clientIds.length === 0 || (!input.allClients && clientIds.length !== new Set(input.clientIds).size)) {
    errors.clientIds = 'forms.chooseClients';
  }
  if (Object.keys(errors).length > 0) throw new ValidationError(errors);
  return input.allClients ? [] : clientIds;
}

function scheduleOf(input: MailingInput) {
  return {
    name: input.name,
    messageId: input.messageId,
    allClients: input.allClients,
    startAt: input.startAt,
    endAt: input.endAt,
    periodicity: input.periodicity,
    timeZone: input.timeZone,
    senderIdentityId: input.senderIdentityId,
  };
}

/** Creates a mailing; if its window has begun, its first run starts at once (the scheduler hears of it). */
export async function createMailing(sequelize: Sequelize, owner: User, input: MailingInput): Promise<Mailing> {
  const clientIds = await resolveChoices(owner, input);
  const mailing = await sequelize.transaction(async (transaction) => {
    const created = await Mailing.create(
      { ownerId: owner.id, ...scheduleOf(input), nextRunAt: input.startAt },
      { transaction },
    );
    await created.setClients(clientIds, { transaction });
    return created;
  });
  return refreshMailing(mailing.id);
}

/** Changes a mailing; the next run is recomputed from the new schedule. */
export async function updateMailing(
  sequelize: Sequelize,
  owner: User,
  id: number,
  input: MailingInput,
): Promise<Mailing> {
  const mailing = await findMailing(owner, id);
  const clientIds = await resolveChoices(owner, input, mailing);
  await sequelize.transaction(async (transaction) => {
    await mailing.update(scheduleOf(input), { transaction });
    await mailing.setClients(clientIds, { transaction });
  });
  return refreshMailing(mailing.id);
}

/** Deletes a mailing with its runs and log; a run under way is cancelled first so no worker keeps sending. */
export async function deleteMailing(sequelize: Sequelize, owner: Pick<User, 'id'>, id: number): Promise<void> {
  const mailing = await findMailing(owner, id);
  const active = await MailingRun.findAll({ where: { mailingId: mailing.id, state: { [Op.in]: ACTIVE_RUN_STATES } } });
  for (const run of active) await cancelRun(sequelize, run.id, { kind: 'mailing_deleted', reason: 'Mailing deleted' });
  await mailing.destroy();
  deliveryEvents.emit('mailing-changed', id);
}

/** The mailing's runs, newest first. */
export function runsOf(mailing: Mailing, limit = 20): Promise<MailingRun[]> {
  return MailingRun.findAll({
    where: { mailingId: mailing.id },
    order: [
      ['scheduledAt', 'DESC'],
      ['id', 'DESC'],
    ],
    limit,
  });
}

/** The run under way (pending, running or paused), if any. */
export function activeRunOf(mailing: Mailing): Promise<MailingRun | null> {
  return MailingRun.findOne({
    where: { mailingId: mailing.id, state: { [Op.in]: ACTIVE_RUN_STATES } },
    order: [['scheduledAt', 'DESC']],
  });
}

/** One run of one of the owner's mailings; anything else is a 404. */
export async function findRun(owner: User, mailingId: number, runId: number): Promise<MailingRun> {
  const mailing = await findMailing(owner, mailingId);
  return found(MailingRun.findOne({ where: { id: runId, mailingId: mailing.id } }));
}

export const RUN_ACTIONS = ['pause', 'resume', 'cancel', 'retry', 'retry-unknown'] as const;
export type RunAction = (typeof RUN_ACTIONS)[number];

/** The run actions that ask first: retrying unknown deliveries may send a second copy to some clients. */
export const CONFIRMED_RUN_ACTIONS: readonly RunAction[] = ['retry-unknown'];

/** "Send now": a run outside the schedule, picked up by the scheduler; the web never waits for SMTP. */
export async function sendNow(sequelize: Sequelize, owner: User, mailingId: number): Promise<MailingRun> {
  const mailing = await findMailing(owner, mailingId);
  return startRunNow(sequelize, mailing.id);
}

/** Applies a button of the run's row (pause, resume, cancel, retry the fixable failures, retry the unknown ones); says how many a retry took. */
export async function actOnRun(
  sequelize: Sequelize,
  owner: User,
  mailingId: number,
  runId: number,
  action: RunAction,
): Promise<{ retried: number | null }> {
  const run = await findRun(owner, mailingId, runId);
  if (action === 'pause') await pauseRun(run.id);
  else if (action === 'resume') await resumeRun(run.id);
  else if (action === 'cancel') await cancelRun(sequelize, run.id);
  else return { retried: await retryDeliveries(sequelize, run.id, action === 'retry-unknown' ? 'unknown' : 'failed') };
  return { retried: null };
}
