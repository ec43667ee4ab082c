import { expect } from 'chai';
import { rateOverLimit, type RateLimits } from '../../../src/delivery/feedback-rates.js';

const LIMITS: RateLimits = {
  pauseBounceRate: 0.05,
  minSample: 100,
  pauseComplaintRate: 0.003,
  complaintMinSample: 1000,
};

describe('the rate a run is past', () => {
  it('when a rate reaches its limit, then it is not past it; one more is', () => {
    expect(rateOverLimit({ delivered: 100, bounced: 5, complained: 0 }, LIMITS)).to.equal(null);
    expect(rateOverLimit({ delivered: 100, bounced: 6, complained: 0 }, LIMITS)).to.equal('bounce_rate');
    expect(rateOverLimit({ delivered: 1000, bounced: 0, complained: 3 }, LIMITS)).to.equal(null);
    expect(rateOverLimit({ delivered: 1000, bounced: 0, complained: 4 }, LIMITS)).to.equal('complaint_rate');
  });

  it('when fewer than the minimum were delivered, then nothing is past its limit', () => {
    expect(rateOverLimit({ delivered: 99, bounced: 99, complained: 0 }, LIMITS)).to.equal(null);
    expect(rateOverLimit({ delivered: 999, bounced: 0, complained: 500 }, LIMITS)).to.equal(null);
    expect(rateOverLimit({ delivered: 0, bounced: 0, complained: 0 }, { ...LIMITS, minSample: 0 })).to.equal(null);
  });

  it('when both are past, then the complaints come first; a rate already paused for is passed over', () => {
    const both = { delivered: 1000, bounced: 100, complained: 10 };
    expect(rateOverLimit(both, LIMITS)).to.equal('complaint_rate');
    expect(rateOverLimit(both, LIMITS, new Set(['complaint_rate']))).to.equal('bounce_rate');
    expect(rateOverLimit(both, LIMITS, new Set(['complaint_rate', 'bounce_rate']))).to.equal(null);
  });
});
