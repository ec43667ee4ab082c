// How a list is sorted, read from its query string (`sort`, `dir`): one of the list's own keys and a direction.
// A value the list does not know means its default order (a link from an older page, a hand-edited URL), never
// an error; the services turn the sort into an ORDER BY through the columns each key names, the id breaking ties.
import type { literal, OrderItem } from 'sequelize';
import { z } from 'zod';

export const SORT_DIRECTIONS = ['asc', 'desc'] as const;
export type SortDirection = (typeof SORT_DIRECTIONS)[number];

/** A list's order: the key of the column it is sorted by, and the direction. */
export interface ListSort<K extends string = string> {
  sort: K;
  dir: SortDirection;
}

/**
 * The schema of a list's sort parameters: a known key and direction pass (no direction is ascending, as a column
 * header's first click); anything else (an unknown or repeated value, no key) is the list's default order.
 */
export function listSortForm<K extends string>(keys: readonly [K, ...K[]], fallback: ListSort<K>) {
  return z
    .object({
      sort: z.enum(keys),
      dir: z.enum(SORT_DIRECTIONS).default('asc'),
    })
    .catch(fallback);
}

/** A list's sort read from a request's query with its schema (the parsed sort is always one the list knows). */
export function readListSort<K extends string>(
  schema: ReturnType<typeof listSortForm<K>>,
  query: Record<string, unknown>,
): ListSort<K> {
  const parsed = schema.parse({ sort: query.sort, dir: query.dir });
  return { sort: parsed.sort, dir: parsed.dir };
}

/** What a sort key orders by: attributes, or expressions (a state's rank, "has no next run"). */
export type SortColumn = string | ReturnType<typeof literal>;

/** Sequelize's order for a sort: the key's columns in its direction, then the id the same way (a stable order). */
export function orderOf<K extends string>(sort: ListSort<K>, columns: Record<K, readonly SortColumn[]>): OrderItem[] {
  const direction = sort.dir === 'asc' ? 'ASC' : 'DESC';
  return [...columns[sort.sort], 'id'].map((column): OrderItem => [column, direction]);
}
