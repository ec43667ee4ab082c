// The links of a list page (its pager, its column headers) keep what the list shows: the search, the filters and
// the sort, each link changing only what it is about.
import type { ListSort } from '../forms/list-sort.js';

export type ListParams = Record<string, string | number | null | undefined>;

/** Builds a list's link from its current parameters and the ones a link changes; empty values are left out. */
export type ListHref = (changes?: ListParams) => string;

/** The link builder for a list at `path` showing `params` (a new sort or search starts again at page 1). */
export function listHref(path: string, params: ListParams): ListHref {
  return (changes = {}) => {
    const query = new URLSearchParams();
    for (const [name, value] of Object.entries({ ...params, ...changes })) {
      if (value !== null && value !== undefined && value !== '') query.set(name, String(value));
    }
    const text = query.toString();
    return text ? `${path}?${text}` : path;
  };
}

/** A list's sort as link parameters. */
export function sortParams(sort: ListSort): ListParams {
  return { sort: sort.sort, dir: sort.dir };
}
