// The environment's pacing per destination: which recipient domains form one group (a provider), how many of a
// group's messages may be under way at once and how fast they may go, and how long a deferring group waits.

/** A group's pace: messages of the group held by one process's lanes at once, and messages per second (0 = no limit). */
export interface GroupLimits {
  concurrency: number;
  ratePerSecond: number;
}

export interface PacingSettings {
  /** Recipient domain (lower case) → group; a domain not listed is a group of its own. */
  groups: ReadonlyMap<string, string>;
  /** The pace of a group without an override. */
  defaults: GroupLimits;
  /** Overrides by group. */
  limits: ReadonlyMap<string, GroupLimits>;
  /** The first backoff of a group that defers (421, 4.7.x); it doubles at each further one in a row. */
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** Backoffs in a row after which a deferral costs the delivery an attempt again (so a run still ends). */
  maxDeferrals: number;
}

export type PacingSettingsResult = { settings: PacingSettings } | { variable: string; message: string };

/** The well-known providers whose domains share one set of servers, so one pace and one backoff. */
export const BUILT_IN_GROUPS: Readonly<Record<string, readonly string[]>> = {
  gmail: ['gmail.com', 'googlemail.com'],
  outlook: ['outlook.com', 'hotmail.com', 'live.com', 'msn.com'],
  yahoo: ['yahoo.com', 'ymail.com', 'aol.com'],
  yandex: ['yandex.ru', 'ya.ru'],
  mailru: ['mail.ru', 'bk.ru', 'inbox.ru', 'list.ru'],
};

const DOMAIN = /^[^\s,=@/]+$/;
const GROUP = /^[a-z0-9][a-z0-9._-]*$/;

type Problem = { variable: string; message: string };

/** A whole number from the environment, or the default when empty; a problem naming the variable otherwise. */
function wholeNumber(
  env: Record<string, string | undefined>,
  variable: string,
  fallback: number,
  min: number,
  max: number,
): number | Problem {
  const raw = (env[variable] ?? '').trim();
  if (raw === '') return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max)
    return { variable, message: `must be a whole number from ${min} to ${max} (got "${raw}")` };
  return value;
}

const isProblem = (value: unknown): value is Problem =>
  typeof value === 'object' && value !== null && 'variable' in value;

/** The list items of a `key=value,key=value` variable, trimmed, empty ones dropped. */
function items(raw: string | undefined): string[] {
  return (raw ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/** The built-in map with DESTINATION_GROUPS's `domain=group` entries over it. */
function parseGroups(raw: string | undefined): Map<string, string> | Problem {
  const groups = new Map<string, string>();
  for (const [group, domains] of Object.entries(BUILT_IN_GROUPS))
    for (const domain of domains) groups.set(domain, group);
  for (const item of items(raw)) {
    const [domain = '', group = '', ...rest] = item.toLowerCase().split('=');
    if (rest.length > 0 || !DOMAIN.test(domain) || !GROUP.test(group))
      return {
        variable: 'DESTINATION_GROUPS',
        message: `must be domain=group pairs separated by commas, e.g. "gmail.com=gmail,googlemail.com=gmail" (got "${item}")`,
      };
    groups.set(domain, group);
  }
  return groups;
}

/** DESTINATION_LIMITS's `group=concurrency/rate` entries; either number may be left out to keep the default. */
function parseLimits(raw: string | undefined, defaults: GroupLimits): Map<string, GroupLimits> | Problem {
  const limits = new Map<string, GroupLimits>();
  for (const item of items(raw)) {
    const match = /^([^\s=]+)=(\d*)\/(\d*)$/.exec(item.toLowerCase());
    const concurrency = match?.[2] ? Number(match[2]) : defaults.concurrency;
    const ratePerSecond = match?.[3] ? Number(match[3]) : defaults.ratePerSecond;
    if (!match || !GROUP.test(match[1] as string) || concurrency < 1 || concurrency > 1000 || ratePerSecond > 100_000)
      return {
        variable: 'DESTINATION_LIMITS',
        message: `must be group=concurrency/rate entries separated by commas, concurrency 1 to 1000, rate 0 to 100000, e.g. "gmail=10/20,yahoo=/5" (got "${item}")`,
      };
    limits.set(match[1] as string, { concurrency, ratePerSecond });
  }
  return limits;
}

/** Reads and checks the variables, so that a bad one stops the start with its name (config.ts throws). */
export function pacingSettingsOf(env: Record<string, string | undefined>): PacingSettingsResult {
  const concurrency = wholeNumber(env, 'DESTINATION_CONCURRENCY', 20, 1, 1000);
  if (isProblem(concurrency)) return concurrency;
  const ratePerSecond = wholeNumber(env, 'DESTINATION_RATE_PER_SECOND', 0, 0, 100_000);
  if (isProblem(ratePerSecond)) return ratePerSecond;
  const backoffBaseMs = wholeNumber(env, 'DESTINATION_BACKOFF_BASE_MS', 30_000, 10, 86_400_000);
  if (isProblem(backoffBaseMs)) return backoffBaseMs;
  const backoffMaxMs = wholeNumber(env, 'DESTINATION_BACKOFF_MAX_MS', 900_000, 10, 86_400_000);
  if (isProblem(backoffMaxMs)) return backoffMaxMs;
  if (backoffMaxMs < backoffBaseMs)
    return {
      variable: 'DESTINATION_BACKOFF_MAX_MS',
      message: `must not be below DESTINATION_BACKOFF_BASE_MS (${backoffBaseMs}) (got "${backoffMaxMs}")`,
    };
  const maxDeferrals = wholeNumber(env, 'DESTINATION_MAX_DEFERRALS', 10, 0, 1000);
  if (isProblem(maxDeferrals)) return maxDeferrals;
  const groups = parseGroups(env.DESTINATION_GROUPS);
  if (isProblem(groups)) return groups;
  const defaults = { concurrency, ratePerSecond };
  const limits = parseLimits(env.DESTINATION_LIMITS, defaults);
  if (isProblem(limits)) return limits;
  return { settings: { groups, defaults, limits, backoffBaseMs, backoffMaxMs, maxDeferrals } };
}

/** The group of a recipient: the domain after its `@` (lower case), or the group the map puts that domain in. */
export function destinationGroupOf(email: string, settings: Pick<PacingSettings, 'groups'>): string {
  const domain = email.slice(email.indexOf('@') + 1).toLowerCase();
  return settings.groups.get(domain) ?? domain;
}

/** The recipient domains a group stands for: the ones the map puts in it, and the group's own name as a domain. */
export function domainsOfGroup(group: string, settings: Pick<PacingSettings, 'groups'>): string[] {
  const domains = [group];
  for (const [domain, mapped] of settings.groups) if (mapped === group && domain !== group) domains.push(domain);
  return domains;
}

/** The pace of one group: its override, else the defaults. */
export function limitsOf(group: string, settings: Pick<PacingSettings, 'defaults' | 'limits'>): GroupLimits {
  return settings.limits.get(group) ?? settings.defaults;
}
