import { expect } from 'chai';
import type { RunState } from '../../../src/db/models/index.js';
import { followedRun } from '../../../src/mailings/run-history.service.js';

const run = (id: number, state: RunState) => ({ id, state });

describe("the run a mailing's page follows", () => {
  it('when a run is active, then it is followed', () => {
    const active = run(3, 'running');
    expect(followedRun(active, [run(2, 'finished')])).to.equal(active);
  });

  it('when the active run ended between the two reads, then the one the history saw under way is followed', () => {
    const seenRunning = run(3, 'running');
    expect(followedRun(null, [seenRunning, run(2, 'finished')])).to.equal(seenRunning);
    const seenPaused = run(4, 'paused');
    expect(followedRun(null, [seenPaused])).to.equal(seenPaused);
  });

  it('when nothing is under way, then nothing is followed', () => {
    expect(followedRun(null, [run(2, 'finished'), run(1, 'cancelled')])).to.equal(null);
    expect(followedRun(null, [])).to.equal(null);
  });
});
