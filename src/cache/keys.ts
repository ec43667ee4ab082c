// The names of cached values, in one place so writers' invalidations and readers agree. Bump the version suffix
// when a value's shape changes (the schema check would recompute anyway, but old entries then simply age out).
export const CACHE_KEYS = {
  homeStats: 'home:stats:v1',
  publishedPostIds: 'blog:published-ids:v1',
} as const;
