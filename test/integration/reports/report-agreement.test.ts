import { expect } from 'chai';
import { parse } from 'csv-parse/sync';
import type request from 'supertest';
import type { Mailing, MailingRun, RunState, User } from '../../../src/db/models/index.js';
import { reportFilterForm, type ReportFilters } from '../../../src/reports/report.form.js';
import { countRuns, listRuns, runChunks } from '../../../src/reports/reports.service.js';
import { makeClient, makeDelivery, makeMailing, makeRun, makeUser } from '../../support/factories.js';
import { signedIn, testSite, type TestSite } from '../../support/web.js';

// Each test's runs are in May of a year of its own (no other test uses these years), so a manager's report of
// everyone's runs in that month holds only them.
let year = 2030;
const may = (day: number): Date => new Date(Date.UTC(year, 4, day, 9));
/** The query string of May `from` to May `to` of this test's year, and any other filters. */
const inMay = (from: number, to: number, rest = ''): string =>
  [`from=${dayOf(may(from))}`, `to=${dayOf(may(to))}`, rest].filter(Boolean).join('&');
const dayOf = (date: Date): string => date.toISOString().slice(0, 10);

/** A run of the mailing on the day, in the state, with one delivery sent a minute after it was scheduled. */
async function runWithOneSent(owner: User, mailing: Mailing, day: number, state: RunState): Promise<MailingRun> {
  const run = await makeRun(mailing, may(day));
  mailingNames.set(mailing.id, mailing.name);
  await run.update({ state, totalCount: 1, sentCount: 1 });
  const delivery = await makeDelivery(run, await makeClient(owner));
  await delivery.update({ status: 'sent', lastAttemptAt: new Date(may(day).getTime() + 60_000), attemptCount: 1 });
  return run;
}

/** The test's mailings' names by id, as the CSV names them. */
const mailingNames = new Map<number, string>();

/** Collects a binary (CSV) response body as text. */
function asText(req: request.Test): request.Test {
  return req.buffer(true).parse((res, callback) => {
    const chunks: Buffer[] = [];
    res.on('data', (chunk: Buffer) => chunks.push(chunk));
    res.on('end', () => callback(null, Buffer.concat(chunks).toString('utf8')));
  });
}

interface Screens {
  list: number[];
  listed: number;
  /** Each CSV row's run as users name it: the mailing and the run's number within it. */
  csv: string[];
  chart: string[];
}

/** What the list (its rows and its count), the CSV export and the chart (its days) show for one query. */
async function screens(agent: request.Agent, query: string): Promise<Screens> {
  const page = await agent.get(`/reports?${query}`).expect(200);
  const csv = await asText(agent.get(`/reports/export.csv?${query}`)).expect(200);
  const rows: string[][] = parse(String(csv.body).slice(1));
  const chart = [...page.text.matchAll(/<tr data-day="([\d-]+)">(.*?)<\/tr>/g)].map((match) => match[1] ?? '');
  return {
    list: [...page.text.matchAll(/href="\/reports\/runs\/(\d+)"/g)].map((match) => Number(match[1])),
    listed: Number(/(\d+) runs?\b/.exec(page.text)?.[1] ?? 0),
    csv: rows.slice(1).map((row) => `${row[1]} #${row[0]}`),
    chart,
  };
}

/** What every screen should show when exactly the runs of these days of May match (one run a day). */
function expected(runs: Map<number, MailingRun>, days: number[]): Screens {
  const newestFirst = [...days].sort((a, b) => b - a).map((day) => runs.get(day));
  const chart = [...days].sort((a, b) => a - b).map((day) => dayOf(may(day)));
  const csv = newestFirst.map((run) => `${run ? mailingNames.get(run.mailingId) : ''} #${run?.number}`);
  return { list: newestFirst.map((run) => run?.id ?? 0), listed: days.length, csv, chart };
}

describe('report list, chart and CSV agree', () => {
  let site: TestSite;
  let customer: User;
  let mine: Mailing;
  let mySecond: Mailing;
  let theirs: Mailing;
  /** The test's runs by their day of May. */
  const runs = new Map<number, MailingRun>();

  // One run a day, so each chart day is one run; every filter below leaves out at least one run it should.
  // The customer's first mailing: finished on days 1, 3, 5, 15 and 16, cancelled on 4; their second: 6.
  // Another owner's first mailing: finished on days 2, 7 and 17, cancelled on 8; their second: 9.
  beforeEach(async () => {
    site = testSite();
    year += 1;
    runs.clear();
    customer = await makeUser();
    const other = await makeUser();
    [mine, mySecond] = [await makeMailing(customer), await makeMailing(customer)];
    theirs = await makeMailing(other);
    const plan: [User, Mailing, RunState, number[]][] = [
      [customer, mine, 'finished', [1, 3, 5, 15, 16]],
      [customer, mine, 'cancelled', [4]],
      [customer, mySecond, 'finished', [6]],
      [other, theirs, 'finished', [2, 7, 17]],
      [other, theirs, 'cancelled', [8]],
      [other, await makeMailing(other), 'finished', [9]],
    ];
    for (const [owner, mailing, state, days] of plan) {
      for (const day of days) runs.set(day, await runWithOneSent(owner, mailing, day, state));
    }
  });

  it('when a customer filters by days, state or mailing, then all three show only their own matching runs', async () => {
    const browser = await signedIn(site.app, customer);
    const finished = await screens(browser.agent, inMay(2, 15, 'state=finished'));
    expect(finished).to.deep.equal(expected(runs, [3, 5, 6, 15]));
    const ofOneMailing = await screens(browser.agent, inMay(2, 15, `mailing=${mine.id}`));
    expect(ofOneMailing).to.deep.equal(expected(runs, [3, 4, 5, 15]));
  });

  it("when a manager narrows to another owner's mailing, then all three show only that owner's matching runs", async () => {
    const browser = await signedIn(site.app, await makeUser({ role: 'manager' }));
    const ofTheirs = await screens(browser.agent, inMay(2, 15, `state=finished&mailing=${theirs.id}`));
    expect(ofTheirs).to.deep.equal(expected(runs, [2, 7]));
    const everyone = await screens(browser.agent, inMay(2, 15, 'state=finished'));
    expect(everyone).to.deep.equal(expected(runs, [2, 3, 5, 6, 7, 9, 15]));
  });

  it('when the export pages through small chunks, then it keeps the same runs as the list, in order', async () => {
    // Ties day 6's run on time, so the page boundary after it falls between two runs of the same instant.
    const sameTime = await makeRun(mine, may(6));
    const form = reportFilterForm({ timeZone: 'UTC', mailingIds: [] });
    const filters: ReportFilters = form.parse({ from: dayOf(may(2)), to: dayOf(may(15)) });
    const listed = (await listRuns(customer, filters, { offset: 0, limit: 100 })).map((run) => run.id);
    const exported: number[] = [];
    for await (const chunk of runChunks(customer, filters, 2)) exported.push(...chunk.map((run) => run.id));
    expect(exported).to.deep.equal(listed);
    expect(listed.slice(0, 3)).to.deep.equal([runs.get(15)?.id, sameTime.id, runs.get(6)?.id]);
    expect(exported)
      .to.have.length(6)
      .and.to.have.length(await countRuns(customer, filters));
  });
});
