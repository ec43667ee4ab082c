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
