import { expect } from 'chai';
import { Op } from 'sequelize';
import { createRun, refreshRunCounters } from '../../../src/delivery/runs.js';
import { Delivery } from '../../../src/db/models/index.js';
import { makeClient, makeMailing, makeUser } from '../../support/factories.js';
import { testDatabase } from '../../support/hooks.js';
import { signedIn, testSite } from '../../support/web.js';

// The run log's unfiltered total is the run's total_count (set with the snapshot); a status filter is counted.
describe('run log pager totals', () => {
  it('when a snapshotted run is sent, bounced and failed, then the whole log and each status show exact totals', async () => {
    const sequelize = testDatabase();
    const owner = await makeUser();
    const clients = [];
    for (let i = 0; i < 30; i += 1) clients.push(await makeClient(owner));
    const mailing = await makeMailing(owner, { clients });
    const run = await sequelize.transaction((t) => createRun(sequelize, mailing.id, new Date(), new Date(), t));
    if (!run) throw new Error('no run');
    const ids = (await Delivery.findAll({ where: { runId: run.id }, order: [['id', 'ASC']] })).map((d) => d.id);
    await Delivery.update({ status: 'sent' }, { where: { id: { [Op.in]: ids.slice(0, 20) } } });
    await Delivery.update({ status: 'bounced' }, { where: { id: { [Op.in]: ids.slice(0, 2) } } });
    await Delivery.update({ status: 'failed' }, { where: { id: { [Op.in]: ids.slice(20, 26) } } });
    await refreshRunCounters(sequelize, run.id);
    const browser = await signedIn(testSite().app, owner);
    const expected: Record<string, number> = { '': 30, sent: 18, bounced: 2, failed: 6, pending: 4, unknown: 0 };
    for (const [status, count] of Object.entries(expected)) {
      const res = await browser.agent.get(`/reports/runs/${run.id}${status ? `?status=${status}` : ''}`).expect(200);
      const counted = await Delivery.count({ where: { runId: run.id, ...(status ? { status } : {}) } });
      expect(counted, `COUNT(*) of ${status || 'all'}`).to.equal(count);
      if (count > 0) expect(res.text, status || 'all').to.contain(`${count} recipient`);
    }
    const page2 = await browser.agent.get(`/reports/runs/${run.id}?page=2`).expect(200);
    expect(page2.text)
      .to.contain('Page 2 of 2')
      .and.to.contain(clients[29]?.email ?? '?');
  });
});
