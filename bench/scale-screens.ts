// bench:scale's screen phases: each screen of issue 17 timed for the big and the small customer, alone and with
// ten users at once, and the neighbour effect (the small customer's mailings list while the big one's report is
// opened again and again). URLs as the app's routes and pager write them (src/*/*.routes.ts, ?page=N).
import { backgroundLoad, measure, timeRequest, type Budget, type Target, type Timing } from './scale-measure.js';
import { figureLine, ms, phaseHeading, screenLine } from './scale-report.js';

/** A signed-in customer and the runs whose logs their screens show. */
export interface Session {
  name: 'big' | 'small';
  cookie: string;
  /** An older run's log (the big customer's: a 4,523-row run; the small one's: its only run). */
  logRunId: number;
  /** The newest run (the big customer's: 100,000 rows). */
  newestRunId: number;
}

/** How long each measure runs. */
export interface ScreenBudgets {
  single: Budget;
  busy: Budget;
  users: number;
}

const SCREEN_GOAL = { single: 100, busy: 300 };
const SEARCH_GOAL = { single: 50, busy: 300 };
/** "Deep pages as fast as page 1": the deep page's median within this factor of page 1's. */
const DEEP_FACTOR = 1.5;
const DAY_MS = 86_400_000;

interface Screen {
  name: string;
  path(session: Session): string;
  goal: typeof SCREEN_GOAL;
  /** The screen whose median this one's is compared with (a deep page with its page 1). */
  likeScreen?: string;
}

function day(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function search(q: string): string {
  return `/clients?q=${encodeURIComponent(q)}`;
}

/** The screens, in the order measured; the customers' time zone is UTC, so "last 30 days" is UTC days. */
function screens(now: number): Screen[] {
  const last30 = `from=${day(now - 29 * DAY_MS)}&to=${day(now)}`;
  const goal = SCREEN_GOAL;
  return [
    { name: 'report (chart + first page)', path: () => '/reports', goal },
    { name: 'report, last 30 days', path: () => `/reports?${last30}`, goal },
    { name: 'run log, page 1 (4,523 / 100 rows)', path: (s) => `/reports/runs/${s.logRunId}`, goal },
    { name: 'newest run log, page 1', path: (s) => `/reports/runs/${s.newestRunId}`, goal },
    {
      name: 'newest run log, page 4,000',
      path: (s) => `/reports/runs/${s.newestRunId}?page=4000`,
      goal,
      likeScreen: 'newest run log, page 1',
    },
    { name: 'clients list, page 1', path: () => '/clients', goal },
    { name: 'clients list, page 4,000', path: () => '/clients?page=4000', goal, likeScreen: 'clients list, page 1' },
    { name: 'search "jOHN mILLER 41" (Latin)', path: () => search('jOHN mILLER 41'), goal: SEARCH_GOAL },
    { name: 'search "КУЗНЕЦОВА 98" (Cyrillic)', path: () => search('КУЗНЕЦОВА 98'), goal: SEARCH_GOAL },
    { name: 'search "miller" (a quarter of all)', path: () => search('miller'), goal: SEARCH_GOAL },
    { name: 'home page, statistics uncached', path: () => '/', goal },
    { name: 'mailings list', path: () => '/mailings', goal },
  ];
}

async function warmUp(target: Target): Promise<void> {
  for (let k = 0; k < 2; k += 1) await timeRequest(target);
}

/** Times every screen for each customer, alone and with `budgets.users` users at once. */
export async function screensPhase(base: string, sessions: Session[], budgets: ScreenBudgets): Promise<void> {
  phaseHeading('screens');
  const medians = new Map<string, number>();
  for (const screen of screens(Date.now())) {
    for (const session of sessions) {
      const target = { url: `${base}${screen.path(session)}`, cookie: session.cookie };
      await warmUp(target);
      const single = await measure(target, 1, budgets.single);
      const busy = await measure(target, budgets.users, budgets.busy);
      const ok = single.p95 <= screen.goal.single && busy.p95 <= screen.goal.busy;
      const goal = `p95 ≤ ${screen.goal.single} / ≤ ${screen.goal.busy} ms`;
      screenLine({ screen: screen.name, customer: session.name, single, busy, goal, ok });
      medians.set(`${screen.name}|${session.name}`, single.p50);
      const like = screen.likeScreen && medians.get(`${screen.likeScreen}|${session.name}`);
      if (like) deepLine(screen.name, session.name, single, like);
    }
  }
}

function deepLine(screen: string, customer: string, deep: Timing, firstPageMedian: number): void {
  const ratio = deep.p50 / firstPageMedian;
  figureLine({
    phase: 'screens',
    what: `${screen} / page 1, ${customer}`,
    figure: `${ratio.toFixed(2)}× (${ms(deep.p50)} / ${ms(firstPageMedian)} ms p50)`,
    goal: `as fast as page 1 (≤ ${DEEP_FACTOR}×)`,
    ok: ratio <= DEEP_FACTOR,
  });
}

const NEIGHBOUR_FACTOR = 2;

/**
 * The small customer's mailings list, one request at a time, idle and then while `loaders` (the big customer's
 * sessions) open the big report continuously: the medians' ratio against the 2× goal.
 */
export async function neighbourPhase(base: string, small: Session, loaders: string[], budget: Budget) {
  phaseHeading('neighbour effect');
  const target = { url: `${base}/mailings`, cookie: small.cookie };
  await warmUp(target);
  const idle = await measure(target, 1, budget);
  const load = backgroundLoad(loaders.map((cookie) => ({ url: `${base}/reports`, cookie })));
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const busy = await measure(target, 1, budget);
  const reports = await load.stop();
  const ratio = busy.p50 / idle.p50;
  figureLine({
    phase: 'neighbour',
    what: `small mailings list p50, idle → ${loaders.length} users on big report`,
    figure:
      `${ms(idle.p50)} → ${ms(busy.p50)} ms = ${ratio.toFixed(2)}× (p95 ${ms(idle.p95)} → ${ms(busy.p95)} ms;` +
      ` ${reports} big reports meanwhile)`,
    goal: `≤ ${NEIGHBOUR_FACTOR}×`,
    ok: ratio <= NEIGHBOUR_FACTOR,
  });
}
