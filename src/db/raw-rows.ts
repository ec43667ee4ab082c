// Model instances from hand-written SQL, for the few reads on every signed-in request (the session and its user):
// a finder builds its statement, validates its includes and maps every value through lodash on each call, which
// cost more than the query itself. The statement is written once; the row is made into an instance the way the
// finders make theirs (values already of their type, a found row, nothing changed).
import type { Model, ModelStatic } from 'sequelize';

type Row = Record<string, unknown>;

/** The model's columns as `alias."column" AS "<prefix><attribute>"`, for a SELECT list written once. */
export function columnsOf(model: ModelStatic<Model>, alias: string, prefix = ''): string {
  return Object.entries(model.getAttributes())
    .map(([name, attribute]) => `${alias}."${attribute.field ?? name}" AS "${prefix}${name}"`)
    .join(', ');
}

/** The database column of an attribute (`userId` → `user_id`), for statements written by hand. */
export function columnOf(model: ModelStatic<Model>, attribute: string): string {
  const found = model.getAttributes()[attribute];
  if (!found) throw new Error(`${model.name} has no attribute ${attribute}`);
  return found.field ?? attribute;
}

// SQLite hands back dates as text and booleans as 0/1 (PostgreSQL's driver already gives Date and boolean): the
// same conversions Sequelize's SQLite driver applies to a finder's rows.
function typed(kind: string | undefined, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (kind === 'DATE' && typeof value === 'string') return new Date(value.includes('+') ? value : `${value}+00:00`);
  if (kind === 'BOOLEAN' && typeof value !== 'boolean') return value === 1 || value === '1' || value === 'true';
  return value;
}

/**
 * The instance of the model in a row whose columns were named by `columnsOf` with the same prefix; null when the
 * row has none (a LEFT JOIN that found nothing: its primary key is null).
 */
export function instanceFrom<M extends Model>(model: ModelStatic<M>, row: Row, prefix = ''): M | null {
  const values: Row = {};
  for (const [name, attribute] of Object.entries(model.getAttributes())) {
    values[name] = typed((attribute.type as { key?: string }).key, row[`${prefix}${name}`]);
  }
  if (values[model.primaryKeyAttribute] === null) return null;
  return model.build(values as M['_creationAttributes'], { raw: true, isNewRecord: false });
}
