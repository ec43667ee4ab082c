import { expect } from 'chai';
import { DateTime } from 'luxon';
import { Delivery, Mailing, MailingRun } from '../../../src/db/models/index.js';
import { startRunNow } from '../../../src/delivery/mailing-lifecycle.js';
import { makeClient, makeMailing, makeMessage, makeUser } from '../../support/factories.js';
import { testDatabase } from '../../support/hooks.js';
import { signedIn, testSite, type Browser, type TestSite } from '../../support/web.js';

function localInput(date: Date, zone = 'UTC'): string {
  return DateTime.fromJSDate(date, { zone }).toFormat("yyyy-MM-dd'T'HH:mm");
}

describe('mailings screens', () => {
  let site: TestSite;
  beforeEach(() => {
    site = testSite();
  });

  async function customerWithMaterial(clientCount = 2) {
    const owner = await makeUser();
    const message = await makeMessage(owner, { subject: 'News' });
    const clients = [];
    for (let i = 0; i < clientCount; i += 1) clients.push(await makeClient(owner));
    return { owner, message, clients, browser: await signedIn(site.app, owner) };
  }

  function mailingForm(fields: Record<string, string | string[]>): Record<string, string | string[]> {
    const start = new Date(Date.now() + 2 * 3600_000);
    return {
      name: 'Weekly news',
      startAt: localInput(start),
      endAt: localInput(new Date(start.getTime() + 30 * 24 * 3600_000)),
      periodicity: 'weekly',
      timeZone: 'Europe/Berlin',
      ...fields,
    };
  }

  it('when there are none, then the list says what to do next; the form says a message and clients are needed', async () => {
    const browser = await signedIn(site.app, await makeUser());
    expect((await browser.agent.get('/mailings').expect(200)).text).to.contain('No mailings yet');
    const form = await browser.agent.get('/mailings/new').expect(200);
    expect(form.text).to.contain('A mailing needs a message and at least one client.');
  });

  it('when a future mailing is created for chosen clients, then it is saved with its schedule and waits for its start', async () => {
    const { owner, message, clients, browser } = await customerWithMaterial(3);
    const chosen = clients.slice(0, 2).map((client) => String(client.id));
    const res = await browser
      .post('/mailings', mailingForm({ messageId: String(message.id), clientIds: chosen }))
      .expect(303);
    const mailing = await Mailing.findOne({ where: { ownerId: owner.id } });
    expect(res.headers.location).to.equal(`/mailings/${mailing?.id}`);
    expect(mailing).to.include({
      name: 'Weekly news',
      periodicity: 'weekly',
      timeZone: 'Europe/Berlin',
      status: 'created',
    });
    expect(mailing?.nextRunAt?.getTime()).to.equal(mailing?.startAt.getTime());
    expect(await mailing?.countClients()).to.equal(2);
    const page = await browser.agent.get(`/mailings/${mailing?.id}`).expect(200);
    expect(page.text).to.contain('Mailing created.').and.to.contain('The first run starts at');
    expect(page.text, 'a start two hours away is not polled for').not.to.contain('hx-trigger="load delay');
  });

  it("when dates are typed, then they are read in the user's time zone", async () => {
    const { owner, message, browser } = await customerWithMaterial(1);
    await owner.update({ timeZone: 'Asia/Tokyo' });
    await browser
      .post(
        '/mailings',
        mailingForm({
          messageId: String(message.id),
          allClients: 'on',
          startAt: '2031-05-01T09:00',
          endAt: '2031-06-01T09:00',
        }),
      )
      .expect(303);
    const mailing = await Mailing.findOne({ where: { ownerId: owner.id } });
    expect(mailing?.startAt.toISOString()).to.equal('2031-05-01T00:00:00.000Z');
    const edit = await browser.agent.get(`/mailings/${mailing?.id}/edit`).expect(200);
    expect(edit.text).to.contain('value="2031-05-01T09:00"');
  });

  it('when the form is wrong, then each field says why, the input is kept and nothing is saved', async () => {
    const { owner, message, browser } = await customerWithMaterial(1);
    const foreign = await makeMessage(await makeUser());
    const res = await browser
      .post(
        '/mailings',
        mailingForm({
          name: 'Kept',
          messageId: String(message.id),
          startAt: '2031-05-02T09:00',
          endAt: '2031-05-01T09:00',
        }),
      )
      .expect(422);
    expect(res.text)
      .to.contain('The end must be after the start.')
      .and.to.contain('Choose at least one client.')
      .and.to.contain('value="Kept"');
    const notMine = await browser
      .post('/mailings', mailingForm({ messageId: String(foreign.id), allClients: 'on' }))
      .expect(422);
    expect(notMine.text).to.contain('Choose one from the list.');
    const past = await browser
      .post(
        '/mailings',
        mailingForm({
          messageId: String(message.id),
          allClients: 'on',
          startAt: '2020-01-01T00:00',
          endAt: '2020-02-01T00:00',
        }),
      )
      .expect(422);
    expect(past.text).to.contain('The end must be in the future.');
    const badDate = await browser
      .post('/mailings', mailingForm({ messageId: String(message.id), allClients: 'on', startAt: 'soon' }))
      .expect(422);
    expect(badDate.text).to.contain('Enter a date and time.');
    expect(await Mailing.count({ where: { ownerId: owner.id } })).to.equal(0);
  });

  it("when another user's client id is slipped into the form, then it is refused", async () => {
    const { owner, message, browser } = await customerWithMaterial(1);
    const stranger = await makeClient(await makeUser());
    await browser
      .post('/mailings', mailingForm({ messageId: String(message.id), clientIds: [String(stranger.id)] }))
      .expect(422);
    expect(await Mailing.count({ where: { ownerId: owner.id } })).to.equal(0);
  });

  it('when a mailing is edited, then its schedule and next run are recomputed', async () => {
    const { owner, message, clients, browser } = await customerWithMaterial(2);
    const mailing = await makeMailing(owner, { message, clients });
    await browser.agent.get(`/mailings/${mailing.id}/edit`).expect(200);
    const start = new Date(Date.now() + 5 * 3600_000);
    await browser
      .post(
        `/mailings/${mailing.id}`,
        mailingForm({
          name: 'Renamed',
          messageId: String(message.id),
          clientIds: [String(clients[0]?.id)],
          startAt: localInput(start),
          periodicity: 'monthly',
        }),
      )
      .expect(303);
    await mailing.reload();
    expect(mailing).to.include({ name: 'Renamed', periodicity: 'monthly' });
    expect(mailing.nextRunAt?.toISOString()).to.equal(
      DateTime.fromISO(localInput(start), { zone: 'UTC' }).toJSDate().toISOString(),
    );
    expect(await mailing.countClients()).to.equal(1);
  });

  it('when "send now" is pressed, then a run with one delivery per client is queued and the page polls its progress', async () => {
    const { owner, message, clients, browser } = await customerWithMaterial(3);
    const mailing = await makeMailing(owner, { message, clients });
    await browser
      .post(`/mailings/${mailing.id}/send`, { confirm: '1' })
      .expect(303)
      .expect('Location', `/mailings/${mailing.id}`);
    const run = await MailingRun.findOne({ where: { mailingId: mailing.id } });
    expect(run).to.include({ totalCount: 3, number: 1 });
    expect(await Delivery.count({ where: { runId: run?.id } })).to.equal(3);
    const page = await browser.agent.get(`/mailings/${mailing.id}`).expect(200);
    expect(page.text).to.contain(`Run #1 started`).and.to.contain('hx-trigger="load delay:1s"');
    expect(page.text).not.to.contain('>Send now<');

    const fragment = await browser.agent
      .get(`/mailings/${mailing.id}/progress?polling=1`)
      .set('HX-Request', 'true')
      .expect(200);
    expect(fragment.text).not.to.contain('<html');
    expect(fragment.text).to.contain('id="run-progress"').and.to.contain('0 sent, 0 failed, 0 unknown of 3');
    expect(fragment.headers['hx-refresh']).to.equal(undefined);

    const again = await browser
      .post(`/mailings/${mailing.id}/send`, { confirm: '1' })
      .set('Referer', `http://x/mailings/${mailing.id}`)
      .expect(303);
    expect(again.headers.location).to.equal(`/mailings/${mailing.id}`);
    expect(await MailingRun.count({ where: { mailingId: mailing.id } })).to.equal(1);
  });

  it('when a run is paused, resumed, cancelled and its failures retried, then each button acts on that run', async () => {
    const { owner, message, clients, browser } = await customerWithMaterial(2);
    const mailing = await makeMailing(owner, { message, clients });
    const run = await startRunNow(testDatabase(), mailing.id);
    await run.update({ state: 'running' });
    const act = (action: string) => browser.post(`/mailings/${mailing.id}/runs/${run.id}/${action}`);
    await act('pause').expect(303);
    expect((await run.reload()).state).to.equal('paused');
    await act('resume').expect(303);
    expect((await run.reload()).state).to.equal('running');
    await act('cancel').expect(303);
    await run.reload();
    expect(run).to.include({ state: 'cancelled', failedCount: 2 });
    const page = await browser.agent.get(`/mailings/${mailing.id}`).expect(200);
    expect(page.text).to.contain('Run cancelled.').and.to.contain('Retry failed');
    await act('retry').expect(303);
    expect(await Delivery.count({ where: { runId: run.id, status: 'pending' } })).to.equal(2);
    await act('explode').expect(404);

    const refreshed = await browser.agent
      .get(`/mailings/${mailing.id}/progress?run=${run.id}`)
      .set('HX-Request', 'true');
    expect(refreshed.headers['hx-refresh']).to.equal(undefined);
    await act('cancel').expect(303);
    const ended = await browser.agent.get(`/mailings/${mailing.id}/progress?run=${run.id}`).set('HX-Request', 'true');
    expect(ended.headers['hx-refresh']).to.equal('true');
  });

  it('when a page waiting for a first run polls and a run has come and gone meanwhile, then it is told to reload', async () => {
    const { owner, message, clients, browser } = await customerWithMaterial(1);
    const mailing = await makeMailing(owner, { message, clients });
    const waiting = await browser.agent.get(`/mailings/${mailing.id}/progress?since=0`).set('HX-Request', 'true');
    expect(waiting.headers['hx-refresh']).to.equal(undefined);
    const run = await startRunNow(testDatabase(), mailing.id);
    await run.update({ state: 'finished', finishedAt: new Date() });
    const after = await browser.agent.get(`/mailings/${mailing.id}/progress?since=0`).set('HX-Request', 'true');
    expect(after.headers['hx-refresh']).to.equal('true');
    const current = await browser.agent
      .get(`/mailings/${mailing.id}/progress?since=${run.id}`)
      .set('HX-Request', 'true');
    expect(current.headers['hx-refresh']).to.equal(undefined);
  });

  it('when a mailing is deleted, then it is gone with its runs, and a run under way was cancelled first', async () => {
    const { owner, message, clients, browser } = await customerWithMaterial(2);
    const mailing = await makeMailing(owner, { message, clients });
    const run = await startRunNow(testDatabase(), mailing.id);
    await browser.post(`/mailings/${mailing.id}/delete`, { confirm: '1' }).expect(303).expect('Location', '/mailings');
    expect(await Mailing.findByPk(mailing.id)).to.equal(null);
    expect(await MailingRun.findByPk(run.id)).to.equal(null);
    const list = await browser.agent.get('/mailings').expect(200);
    expect(list.text).to.contain('Mailing deleted.');
  });

  it('when listed, then each mailing shows its status, next run and last run counters', async () => {
    const { owner, message, clients, browser } = await customerWithMaterial(2);
    const mailing = await makeMailing(owner, { message, clients });
    await startRunNow(testDatabase(), mailing.id);
    const list = await browser.agent.get('/mailings').expect(200);
    expect(list.text)
      .to.contain(mailing.name)
      .and.to.contain('Running')
      .and.to.contain('0 sent, 0 failed, 0 unknown of 2');
  });

  it("when another user's ids are used, then every mailing route answers 404 and changes nothing", async () => {
    const other = await makeUser();
    const theirs = await makeMailing(other, { clients: [await makeClient(other)] });
    const theirRun = await startRunNow(testDatabase(), theirs.id);
    const { owner, message, browser } = await customerWithMaterial(1);
    const mine = await makeMailing(owner, { message });
    const expect404 = async (request: ReturnType<Browser['post']>) => request.expect(404);
    for (const path of ['', '/edit', '/progress']) await browser.agent.get(`/mailings/${theirs.id}${path}`).expect(404);
    await expect404(
      browser.post(`/mailings/${theirs.id}`, mailingForm({ messageId: String(message.id), allClients: 'on' })),
    );
    await expect404(browser.post(`/mailings/${theirs.id}/delete`));
    await expect404(browser.post(`/mailings/${theirs.id}/send`));
    await expect404(browser.post(`/mailings/${theirs.id}/runs/${theirRun.id}/cancel`));
    await expect404(browser.post(`/mailings/${mine.id}/runs/${theirRun.id}/cancel`));
    expect(await Mailing.findByPk(theirs.id)).not.to.equal(null);
    expect((await theirRun.reload()).state).to.not.equal('cancelled');
  });

  it('when a content manager tries the mailing screens, then it is 403', async () => {
    const browser = await signedIn(site.app, await makeUser({ role: 'content_manager' }));
    await browser.agent.get('/mailings').expect(403);
    await browser.agent.get('/mailings/new').expect(403);
    await browser.post('/mailings', mailingForm({})).expect(403);
  });
});
