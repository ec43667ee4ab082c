import { expect } from 'chai';
import { ALL_RUNS, allOf, reportCondition } from '../../../src/reports/report-filter.js';

const customer = { id: 7, role: 'user' } as const;
const manager = { id: 8, role: 'manager' } as const;

describe('report filter condition', () => {
  it('when nothing is filtered, then a customer sees their own mailings and a manager everyone', () => {
    expect(reportCondition(customer, ALL_RUNS)).to.deep.equal({
      sql: 'm.owner_id = :ownerId',
      replacements: { ownerId: 7 },
    });
    expect(reportCondition(manager, ALL_RUNS)).to.deep.equal({ sql: '1 = 1', replacements: {} });
  });

  it('when filters are set, then each becomes one plain comparison and the others none (index-friendly)', () => {
    const from = new Date('2026-03-01T00:00:00Z');
    const before = new Date('2026-03-08T00:00:00Z');
    expect(reportCondition(customer, { ...ALL_RUNS, scheduledFrom: from, state: 'finished' })).to.deep.equal({
      sql: 'm.owner_id = :ownerId AND r.scheduled_at >= :scheduledFrom AND r.state = :state',
      replacements: { ownerId: 7, scheduledFrom: from, state: 'finished' },
    });
    expect(reportCondition(manager, { ...ALL_RUNS, scheduledBefore: before, mailingId: 3 })).to.deep.equal({
      sql: 'r.scheduled_at < :scheduledBefore AND r.mailing_id = :mailingId',
      replacements: { scheduledBefore: before, mailingId: 3 },
    });
  });

  it('when a condition is narrowed further, then both hold, each in its own parentheses', () => {
    const narrowed = allOf(reportCondition(customer, ALL_RUNS), {
      sql: 'r.scheduled_at < :afterAt OR r.id < :afterId',
      replacements: { afterAt: 1, afterId: 2 },
    });
    expect(narrowed).to.deep.equal({
      sql: '(m.owner_id = :ownerId) AND (r.scheduled_at < :afterAt OR r.id < :afterId)',
      replacements: { ownerId: 7, afterAt: 1, afterId: 2 },
    });
  });
});
