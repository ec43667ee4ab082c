// AdminJS action handlers that write through our own functions (services and rules) instead of the adapter's
// raw update: each reads only the fields it knows from the payload, so nothing else can be mass-assigned.
import type {
  ActionContext,
  ActionHandler,
  ActionRequest,
  BaseRecord,
  BulkActionResponse,
  CurrentAdmin,
  PropertyErrors,
  RecordActionResponse,
  RecordJSON,
} from 'adminjs';
import type { z } from 'zod';
import { AppError, ValidationError } from '../src/errors.js';
import { translator } from '../src/i18n/i18n.js';
import type { UserRole } from '../src/db/models/index.js';
import type { AdminIdentity } from './auth.js';
import { adminJs } from './adminjs.js';
import { languageOf } from './locale/locale.js';

export type Payload = Record<string, unknown>;

export interface RecordWriter {
  /** Creates the record from the payload; returns its id. */
  create?: (payload: Payload, context: ActionContext) => Promise<number>;
  /** Changes the record from the payload. */
  update?: (id: number, payload: Payload, context: ActionContext) => Promise<void>;
  /** Deletes the record with whatever must happen around it. */
  remove?: (id: number, context: ActionContext) => Promise<void>;
}

/** The signed-in staff member of an action. */
function actorOf(context: ActionContext): AdminIdentity {
  const admin = context.currentAdmin as AdminIdentity | undefined;
  if (!admin) throw new AppError('Sign in first', 401, 'unauthenticated');
  return admin;
}

/** The signed-in staff member as the services name an actor (`{ id }`, as of a user). */
export function staffOf(context: ActionContext): { id: number } {
  return { id: actorOf(context).userId };
}

/** The role of whoever asks (for isAccessible/isVisible callbacks). */
export function roleOf(context: { currentAdmin?: CurrentAdmin }): UserRole | undefined {
  return (context.currentAdmin as Partial<AdminIdentity> | undefined)?.role;
}

/**
 * A message for the staff member, in their profile language: an i18n key of the rules is translated, any other
 * text stays as it is.
 */
export function messageOf(keyOrText: string, context: { currentAdmin?: CurrentAdmin }): string {
  return translator(languageOf(context.currentAdmin))(keyOrText, { defaultValue: keyOrText });
}

/** A field error, shown next to the input (translated when the write that raised it answers). */
export function fieldError(field: string, keyOrText: string): Error {
  return new ValidationError({ [field]: keyOrText });
}

/** AdminJS's ValidationError (the class of the loaded AdminJS, which its error handler checks for). */
function validationError(errors: PropertyErrors): Error {
  return new (adminJs().adminjs.ValidationError)(errors);
}

function notFound(): Error {
  return new (adminJs().adminjs.NotFoundError)('No such record', 'Action#handler');
}

/** Reads a payload against a zod schema; problems become field errors (AdminJS's, once translated). */
export function parsePayload<T extends z.ZodType>(schema: T, payload: Payload): z.infer<T> {
  const parsed = schema.safeParse(payload);
  if (parsed.success) return parsed.data;
  const errors: Record<string, string> = {};
  for (const issue of parsed.error.issues) {
    const field = String(issue.path[0] ?? 'base');
    errors[field] ??= issue.message;
  }
  throw new ValidationError(errors);
}

/** Runs a write; the rules' field errors become AdminJS field errors, their refusals a red notice. */
async function asAdminWrite<T>(context: ActionContext, write: () => Promise<T>): Promise<T | RecordActionResponse> {
  try {
    return await write();
  } catch (error) {
    if (error instanceof ValidationError) {
      const errors: PropertyErrors = {};
      for (const [field, key] of Object.entries(error.fieldErrors)) {
        errors[field] = { message: messageOf(key, context) };
      }
      throw validationError(errors);
    }
    if (error instanceof AppError && error.status < 500) {
      return {
        record: recordJson(context.record, context),
        notice: { message: messageOf(error.message, context), type: 'error' },
      };
    }
    throw error;
  }
}

function recordJson(record: BaseRecord | undefined, context: ActionContext): RecordJSON {
  return record
    ? record.toJSON(context.currentAdmin)
    : {
        params: {},
        populated: {},
        errors: {},
        id: '',
        title: '',
        recordActions: [],
        bulkActions: [],
        baseError: null,
      };
}

function resourceIdOf(context: ActionContext): string {
  return context.resource._decorated?.id() ?? context.resource.id();
}

function numericId(record: BaseRecord): number {
  return Number(record.id());
}

/** `new`: creates through the writer and goes back to the list. */
export function newHandler(create: NonNullable<RecordWriter['create']>): ActionHandler<RecordActionResponse> {
  return async (request: ActionRequest, _response: unknown, context: ActionContext) => {
    if (request.method !== 'post') throw new AppError('Use POST to create', 405, 'method');
    return asAdminWrite(context, async () => {
      const id = await create(request.payload ?? {}, context);
      const record = await context.resource.findOne(String(id), context);
      if (record) context.record = record;
      return {
        redirectUrl: context.h.resourceUrl({ resourceId: resourceIdOf(context) }),
        notice: { message: 'successfullyCreated', type: 'success' },
        record: recordJson(record ?? undefined, context),
      };
    });
  };
}

/** `edit`: GET returns the record for the form, POST changes it through the writer. */
export function editHandler(update: NonNullable<RecordWriter['update']>): ActionHandler<RecordActionResponse> {
  return async (request: ActionRequest, _response: unknown, context: ActionContext) => {
    const { record } = context;
    if (!record) throw notFound();
    if (request.method === 'get') return { record: record.toJSON(context.currentAdmin) };
    return asAdminWrite(context, async () => {
      await update(numericId(record), request.payload ?? {}, context);
      const fresh = (await context.resource.findOne(String(record.id()), context)) ?? record;
      context.record = fresh;
      return {
        redirectUrl: context.h.recordActionUrl({
          resourceId: resourceIdOf(context),
          recordId: String(record.id()),
          actionName: 'show',
        }),
        notice: { message: 'successfullyUpdated', type: 'success' },
        record: fresh.toJSON(context.currentAdmin),
      };
    });
  };
}

/** `delete`: deletes through the writer. */
export function deleteHandler(remove: NonNullable<RecordWriter['remove']>): ActionHandler<RecordActionResponse> {
  return async (request: ActionRequest, _response: unknown, context: ActionContext) => {
    const { record } = context;
    if (!record) throw notFound();
    if (request.method === 'get') return { record: record.toJSON(context.currentAdmin) };
    return asAdminWrite(context, async () => {
      await remove(numericId(record), context);
      return {
        record: record.toJSON(context.currentAdmin),
        redirectUrl: context.h.resourceUrl({ resourceId: resourceIdOf(context) }),
        notice: { message: 'successfullyDeleted', type: 'success' },
      };
    });
  };
}

/** `bulkDelete`: deletes each chosen record through the writer. */
export function bulkDeleteHandler(remove: NonNullable<RecordWriter['remove']>): ActionHandler<BulkActionResponse> {
  return async (request: ActionRequest, _response: unknown, context: ActionContext) => {
    const records = context.records ?? [];
    const json = () => records.map((record) => record.toJSON(context.currentAdmin));
    if (request.method === 'get') return { records: json() };
    try {
      for (const record of records) await remove(numericId(record), context);
    } catch (error) {
      if (error instanceof AppError && error.status < 500) {
        return { records: json(), notice: { message: messageOf(error.message, context), type: 'error' } };
      }
      throw error;
    }
    return {
      records: json(),
      redirectUrl: context.h.resourceUrl({ resourceId: resourceIdOf(context) }),
      notice: { message: 'successfullyBulkDeleted', type: 'success' },
    };
  };
}
