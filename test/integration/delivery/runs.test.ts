import { readdirSync } from 'node:fs';
import { expect } from 'chai';
import { deleteClient } from '../../../src/clients/clients.service.js';
import { type Client, Delivery, Mailing, MailingRun } from '../../../src/db/models/index.js';
import {
  claimBatch,
  INTERRUPTED_REPLY,
  reapExpiredLeases,
  releaseUnattempted,
  renewLeases,
  writeLaneResults,
  type AttemptResult,
} from '../../../src/delivery/claims.js';
import {
  dispatchDueRun,
  refreshMailing,
  setMailingDisabled,
  startRunNow,
} from '../../../src/delivery/mailing-lifecycle.js';
import { cancelRun, createRun, pauseRun, resumeRun, retryDeliveries } from '../../../src/delivery/runs.js';
import { AppError } from '../../../src/errors.js';
import { unsubscribeClient } from '../../../src/unsubscribe/unsubscribe.service.js';
import { continueRun, deliveryConfig, loadRun, mailingWithClients, sendNow } from '../../support/delivery.js';
import { rejectionOf } from '../../support/expect.js';
import { makeUser } from '../../support/factories.js';
import { testDatabase } from '../../support/hooks.js';

describe('mailing runs', () => {
  it('when a run is created, then it snapshots the selected clients, skipping unsubscribed ones', async () => {
    const { mailing, clients } = await mailingWithClients(4);
    await clients[1]?.update({ unsubscribedAt: new Date() });
    const run = await startRunNow(testDatabase(), mailing.id);
    const { deliveries } = await loadRun(run.id);
    expect(run.totalCount).to.equal(3);
    expect(deliveries.map((d) => d.email).sort()).to.deep.equal(
      [clients[0], clients[2], clients[3]].map((c) => c?.email).sort(),
    );
    expect(deliveries.every((d) => d.status === 'pending' && d.attemptCount === 0)).to.equal(true);
  });

  it('when the same run is created twice, then the second creation is a no-op', async () => {
    const { mailing } = await mailingWithClients(2);
    const at = new Date('2026-12-24T09:00:00Z');
    const sequelize = testDatabase();
    const first = await sequelize.transaction((t) => createRun(sequelize, mailing.id, at, new Date(), t));
    const second = await sequelize.transaction((t) => createRun(sequelize, mailing.id, at, new Date(), t));
    expect(first).to.not.equal(null);
    expect(second).to.equal(null);
    expect(await MailingRun.count({ where: { mailingId: mailing.id } })).to.equal(1);
    expect(await Delivery.count({ where: { runId: first?.id } })).to.equal(2);
  });

  it('when "send now" is asked twice at once, a second apart, then one run starts and the other is refused', async () => {
    const { mailing } = await mailingWithClients(2);
    const now = Date.now();
    const outcomes = await Promise.allSettled([
      startRunNow(testDatabase(), mailing.id, new Date(now)),
      startRunNow(testDatabase(), mailing.id, new Date(now + 1000)),
    ]);
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).to.have.length(1);
    const refused = outcomes.find((outcome) => outcome.status === 'rejected');
    expect((refused?.reason as AppError | undefined)?.translation?.key).to.equal('mailings.errors.stillActive');
    expect(await MailingRun.count({ where: { mailingId: mailing.id } })).to.equal(1);
  });

  it('when a mailing has no recipients, then its run is finished at once', async () => {
    const { mailing } = await mailingWithClients(0);
    const run = await startRunNow(testDatabase(), mailing.id);
    expect(run).to.deep.include({ state: 'finished', totalCount: 0 });
  });

  it('when two workers claim from one run at the same time, then they get disjoint deliveries', async () => {
    const { mailing } = await mailingWithClients(30);
    const run = await startRunNow(testDatabase(), mailing.id);
    const [a, b, c] = await Promise.all(
      ['w1', 'w2', 'w3'].map((w) => claimBatch(testDatabase(), run.id, w, 12, 60_000)),
    );
    const ids = [...(a ?? []), ...(b ?? []), ...(c ?? [])].map((d) => d.id);
    expect(ids).to.have.length(30);
    expect(new Set(ids).size).to.equal(30);
    expect(await claimBatch(testDatabase(), run.id, 'w4', 10, 60_000)).to.deep.equal([]);
  });

  it('when a run is paused, then no worker can claim from it until it is resumed', async () => {
    const { mailing } = await mailingWithClients(3);
    const run = await startRunNow(testDatabase(), mailing.id);
    await pauseRun(run.id);
    expect(await claimBatch(testDatabase(), run.id, 'w1', 10, 60_000)).to.deep.equal([]);
    await resumeRun(run.id);
    expect(await claimBatch(testDatabase(), run.id, 'w1', 10, 60_000)).to.have.length(3);
  });

  it('when a worker dies holding deliveries, then those it had handed to the server are unknown and the rest pending again', async () => {
    const { mailing } = await mailingWithClients(4);
    const run = await startRunNow(testDatabase(), mailing.id);
    const claimed = await claimBatch(testDatabase(), run.id, 'dead-worker', 3, 300);
    expect(claimed.map((d) => d.attempt)).to.deep.equal([1, 1, 1]);
    const [onWire, reservedOnly, marked] = claimed;
    const marks = await writeLaneResults(testDatabase(), 'dead-worker', [
      { outcome: null, markId: onWire?.id ?? 0 },
      { outcome: null, markId: marked?.id ?? 0 },
    ]);
    expect([...marks].sort()).to.deep.equal([onWire?.id, marked?.id].sort());
    await new Promise((resolve) => setTimeout(resolve, 320));

    expect(await reapExpiredLeases(testDatabase())).to.include(run.id);

    const { deliveries } = await loadRun(run.id);
    const row = (id = 0): Delivery | undefined => deliveries.find((d) => d.id === id);
    for (const d of [onWire, marked]) {
      expect(row(d?.id)).to.deep.include({
        status: 'unknown',
        errorClass: 'interrupted',
        smtpResponse: INTERRUPTED_REPLY,
        attemptCount: 1,
        leaseOwner: null,
        attemptStartedAt: null,
      });
      expect(row(d?.id)?.lastAttemptAt).to.be.instanceOf(Date);
    }
    expect(row(reservedOnly?.id)).to.deep.include({ status: 'pending', attemptCount: 0, leaseOwner: null });
    // What it had only reserved, and what it had not claimed, are claimable as usual.
    const again = await claimBatch(testDatabase(), run.id, 'new-worker', 10, 60_000);
    expect(again.map((d) => d.id)).to.deep.equal(deliveries.filter((d) => d.status === 'pending').map((d) => d.id));
  });

  it('when a worker gives back deliveries it did not attempt, then they are pending as before', async () => {
    const { mailing } = await mailingWithClients(2);
    const run = await startRunNow(testDatabase(), mailing.id);
    const claimed = await claimBatch(testDatabase(), run.id, 'w1', 10, 60_000);
    await writeLaneResults(testDatabase(), 'w1', [{ outcome: null, markId: claimed[1]?.id ?? 0 }]);
    await releaseUnattempted(testDatabase(), 'w2', [claimed[0]?.id ?? 0]); // not its own: nothing happens
    await releaseUnattempted(testDatabase(), 'w1', [claimed[1]?.id ?? 0]); // marked: the mark is taken back

    const { deliveries } = await loadRun(run.id);
    expect(deliveries.map((d) => [d.status, d.attemptCount, d.leaseOwner, d.attemptStartedAt])).to.deep.equal([
      ['sending', 0, 'w1', null],
      ['pending', 0, null, null],
    ]);
    expect(
      (
        await renewLeases(
          testDatabase(),
          'w1',
          claimed.map((d) => d.id),
          60_000,
        )
      ).size,
    ).to.equal(1);
  });

  it('when attempts are logged together, then each delivery keeps its own outcome, text exactly as given', async () => {
    const { mailing } = await mailingWithClients(4);
    const run = await startRunNow(testDatabase(), mailing.id);
    const [sent, retried, failed, notHeld] = await claimBatch(testDatabase(), run.id, 'w1', 10, 60_000);
    const attemptedAt = new Date('2026-11-27T10:00:00.123Z');
    const nextAttemptAt = new Date('2026-11-27T10:05:00.456Z');
    const tricky = `451 4.7.1 "try later", {busy}; back\\slash, NULL, ünïcødé ✓`;
    await releaseUnattempted(testDatabase(), 'w1', [notHeld?.id ?? 0]);
    const held = [sent, retried, failed].map((d) => ({ outcome: null, markId: d?.id ?? 0 }));
    await writeLaneResults(testDatabase(), 'w1', held);
    const outcome = { attemptedAt, errorClass: null, messageId: null, nextAttemptAt: null, counted: true };
    const results: AttemptResult[] = [
      { ...outcome, deliveryId: sent?.id ?? 0, status: 'sent', reply: '250 2.0.0 Ok: queued', messageId: '<a@b>' },
      {
        ...outcome,
        deliveryId: retried?.id ?? 0,
        status: 'pending',
        reply: tricky,
        errorClass: 'temporary',
        nextAttemptAt,
      },
      {
        ...outcome,
        deliveryId: failed?.id ?? 0,
        status: 'failed',
        reply: '550 5.1.1 no such user',
        errorClass: 'permanent',
      },
      { ...outcome, deliveryId: notHeld?.id ?? 0, status: 'sent', reply: '250 not mine to write' },
    ];
    await writeLaneResults(
      testDatabase(),
      'w1',
      results.map((result) => ({ outcome: result, markId: null })),
    );

    const { deliveries } = await loadRun(run.id);
    const row = (id = 0): Delivery | undefined => deliveries.find((d) => d.id === id);
    expect(row(sent?.id)).to.deep.include({
      status: 'sent',
      smtpResponse: '250 2.0.0 Ok: queued',
      smtpMessageId: '<a@b>',
    });
    expect(row(sent?.id)?.sentAt).to.be.instanceOf(Date);
    expect(row(retried?.id)).to.deep.include({
      status: 'pending',
      smtpResponse: tricky,
      errorClass: 'temporary',
      sentAt: null,
    });
    expect(row(retried?.id)?.nextAttemptAt?.toISOString()).to.equal(nextAttemptAt.toISOString());
    expect(row(failed?.id)).to.deep.include({ status: 'failed', errorClass: 'permanent', nextAttemptAt: null });
    for (const id of [sent?.id, retried?.id, failed?.id]) {
      expect(row(id)).to.deep.include({ leaseOwner: null, attemptCount: 1, attemptStartedAt: null });
      expect(row(id)?.lastAttemptAt?.toISOString()).to.equal(attemptedAt.toISOString());
    }
    expect(row(notHeld?.id)).to.deep.include({ status: 'pending', smtpResponse: null, lastAttemptAt: null });
  });

  it('when a run is paused, resumed and cancelled, then the states follow and unsent deliveries fail as cancelled', async () => {
    const { mailing } = await mailingWithClients(3);
    const run = await startRunNow(testDatabase(), mailing.id);
    expect((await pauseRun(run.id)).state).to.equal('paused');
    expect(await rejectionOf(pauseRun(run.id))).to.be.instanceOf(AppError);
    expect((await resumeRun(run.id)).state).to.equal('running');
    const cancelled = await cancelRun(testDatabase(), run.id);
    expect(cancelled).to.deep.include({ state: 'cancelled', failedCount: 3 });
    const { deliveries } = await loadRun(run.id);
    expect(deliveries.every((d) => d.status === 'failed' && d.errorClass === 'cancelled')).to.equal(true);
    expect(await rejectionOf(cancelRun(testDatabase(), run.id))).to.be.instanceOf(AppError);
  });

  it('when a client is deleted or unsubscribes during a run, then its waiting delivery stops and the log keeps it', async () => {
    const { owner, clients, mailing } = await mailingWithClients(4);
    const [deleted, unsubscribed, onTheWire, untouched] = clients as [Client, Client, Client, Client];
    const run = await startRunNow(testDatabase(), mailing.id);
    const finishedEarlier = await testDatabase().transaction((transaction) =>
      createRun(testDatabase(), mailing.id, new Date(Date.now() - 86_400_000), new Date(), transaction),
    );
    await Delivery.update({ status: 'sent' }, { where: { runId: finishedEarlier?.id } });
    await finishedEarlier?.update({ state: 'finished' });
    // One delivery is being sent right now: it is not taken from under its worker.
    await Delivery.update({ status: 'sending', leaseOwner: 'w' }, { where: { runId: run.id, clientId: onTheWire.id } });

    await deleteClient(owner, deleted.id);
    await unsubscribeClient(unsubscribed);
    await deleteClient(owner, onTheWire.id);

    const byClient = async (runId: number, clientId: number): Promise<Delivery | null> =>
      Delivery.findOne({ where: { runId, clientId } });
    expect(await byClient(run.id, deleted.id)).to.deep.include({
      status: 'failed',
      errorClass: 'client_deleted',
      smtpResponse: 'Not sent: the client was deleted',
      email: deleted.email,
    });
    expect(await byClient(run.id, unsubscribed.id)).to.deep.include({ status: 'failed', errorClass: 'unsubscribed' });
    expect(await byClient(run.id, onTheWire.id)).to.deep.include({ status: 'sending', errorClass: null });
    expect(await byClient(run.id, untouched.id)).to.deep.include({ status: 'pending' });
    expect(await byClient(finishedEarlier?.id ?? 0, deleted.id)).to.deep.include({ status: 'sent' });
    expect(await MailingRun.findByPk(run.id)).to.deep.include({ failedCount: 2 });
  });

  it('when a run is retried, then clients that unsubscribed or were deleted since are left out', async () => {
    const { owner, clients, mailing } = await mailingWithClients(3);
    const [deleted, unsubscribed] = clients as [Client, Client, Client];
    const run = await startRunNow(testDatabase(), mailing.id);
    await cancelRun(testDatabase(), run.id);
    await deleteClient(owner, deleted.id);
    await unsubscribed.update({ unsubscribedAt: new Date() });

    expect(await retryDeliveries(testDatabase(), run.id)).to.equal(1);
    const { run: after, deliveries } = await continueRun(deliveryConfig(null), run.id);
    expect(after).to.deep.include({ state: 'finished', sentCount: 1, failedCount: 2 });
    expect(deliveries.filter((d) => d.status === 'sent').map((d) => d.clientId)).to.deep.equal([clients[2]?.id]);
  });

  it('when failed deliveries are retried, then they go out again and the run finishes again', async () => {
    const { mailing } = await mailingWithClients(2);
    const run = await startRunNow(testDatabase(), mailing.id);
    await cancelRun(testDatabase(), run.id);
    expect(await retryDeliveries(testDatabase(), run.id)).to.equal(2);
    expect((await MailingRun.findByPk(run.id))?.state).to.equal('running');
    const { run: after, deliveries } = await continueRun(deliveryConfig(null), run.id);
    expect(after).to.deep.include({ state: 'finished', sentCount: 2, failedCount: 0 });
    expect(deliveries.every((d) => d.status === 'sent' && /^250 .*outbox/.test(d.smtpResponse ?? ''))).to.equal(true);
  });

  it('when a mailing is disabled during a run, then the rest of the run is cancelled and no new run starts', async () => {
    const manager = await makeUser({ role: 'manager' });
    const { mailing } = await mailingWithClients(3, { startAt: new Date(Date.now() - 60_000), periodicity: 'daily' });
    await refreshMailing(mailing.id);
    const run = await dispatchDueRun(testDatabase(), mailing.id);
    expect(run?.state).to.equal('running');

    const disabled = await setMailingDisabled(testDatabase(), mailing.id, true, {
      userId: manager.id,
      reason: 'spam complaints',
    });
    expect(disabled.runCancelled).to.equal(true);
    expect(disabled.mailing).to.deep.include({
      isDisabled: true,
      disabledById: manager.id,
      disabledReason: 'spam complaints',
    });
    const cancelled = await MailingRun.findByPk(run?.id);
    expect(cancelled?.state).to.equal('cancelled');
    expect(cancelled?.pausedReason).to.equal('Mailing disabled: spam complaints');
    await Mailing.update({ nextRunAt: new Date(Date.now() - 1000) }, { where: { id: mailing.id } });
    expect(await dispatchDueRun(testDatabase(), mailing.id)).to.equal(null);
    expect(await rejectionOf(startRunNow(testDatabase(), mailing.id))).to.be.instanceOf(AppError);
  });

  it('when a once mailing inside its window runs, then its status goes created → running → completed', async () => {
    const { mailing } = await mailingWithClients(2, { startAt: new Date(Date.now() + 3_600_000), periodicity: 'once' });
    expect((await refreshMailing(mailing.id)).status).to.equal('created');

    await mailing.update({ startAt: new Date(Date.now() - 1000) });
    const due = await refreshMailing(mailing.id);
    expect(due.nextRunAt?.getTime()).to.equal(mailing.startAt.getTime());
    const run = await dispatchDueRun(testDatabase(), mailing.id);
    const running = await Mailing.findByPk(mailing.id);
    expect(running).to.deep.include({ status: 'running', nextRunAt: null });

    await continueRun(deliveryConfig(null), run?.id ?? 0);
    expect((await Mailing.findByPk(mailing.id))?.status).to.equal('completed');
  });

  it('when sent through the outbox, then each message is an .eml file and the reply names it', async () => {
    const { mailing } = await mailingWithClients(2);
    const config = deliveryConfig(null);
    const { deliveries } = await sendNow(config, mailing.id);
    expect(readdirSync(config.outboxDir).filter((f) => f.endsWith('.eml'))).to.have.length(2);
    for (const d of deliveries) expect(d.smtpResponse).to.match(/^250 2\.0\.0 Stored in outbox as \S+\.eml$/);
  });
});
