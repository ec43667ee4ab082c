// Page numbers for long lists: which rows to load and what the pager shows.
export const PER_PAGE = 25;

export interface Page {
  number: number;
  count: number;
  offset: number;
  limit: number;
  total: number;
}

/** The requested page (from `?page=`), clamped to the pages that exist. */
export function pageOf(requested: unknown, total: number, perPage = PER_PAGE): Page {
  const count = Math.max(1, Math.ceil(total / perPage));
  const asked = typeof requested === 'string' && /^\d{1,6}$/.test(requested) ? Number(requested) : 1;
  const number = Math.min(Math.max(1, asked), count);
  return { number, count, offset: (number - 1) * perPage, limit: perPage, total };
}

/**
 * A page and its rows, asking for the count only when it is needed: a first page that is not full is the whole
 * list, so its length is the total and the list costs one query instead of two.
 */
export async function pageWithRows<T>(
  requested: unknown,
  count: () => Promise<number>,
  list: (page: Page) => Promise<T[]>,
  perPage = PER_PAGE,
): Promise<{ page: Page; rows: T[] }> {
  let first: T[] | undefined;
  if (pageOf(requested, Number.POSITIVE_INFINITY, perPage).number === 1) {
    first = await list(pageOf(1, 0, perPage));
    if (first.length < perPage) return { page: pageOf(1, first.length, perPage), rows: first };
  }
  const page = pageOf(requested, await count(), perPage);
  return { page, rows: page.number === 1 && first ? first : await list(page) };
}
