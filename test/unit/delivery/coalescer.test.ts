import { expect } from 'chai';
import { Coalescer } from '../../../src/delivery/coalescer.js';

/** A coalescer that records each flush's items and answers each item with its double. */
function doubling(
  maxPerFlush: number,
  lingerMs: number,
): { coalescer: Coalescer<number, number>; flushes: number[][] } {
  const flushes: number[][] = [];
  const coalescer = new Coalescer<number, number>(
    (items) => {
      flushes.push(items);
      return Promise.resolve(items.map((n) => n * 2));
    },
    maxPerFlush,
    lingerMs,
  );
  return { coalescer, flushes };
}

describe('coalescer', () => {
  it('when items arrive in one tick, then they go in one flush and each caller gets its own result', async () => {
    const { coalescer, flushes } = doubling(10, 0);
    expect(await Promise.all([1, 2, 3].map((n) => coalescer.submit(n)))).to.deep.equal([2, 4, 6]);
    expect(flushes).to.deep.equal([[1, 2, 3]]);
  });

  it('when items arrive during the linger, then they join the same flush', async () => {
    const { coalescer, flushes } = doubling(10, 30);
    const first = coalescer.submit(1);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const second = coalescer.submit(2);
    expect(await Promise.all([first, second])).to.deep.equal([2, 4]);
    expect(flushes).to.deep.equal([[1, 2]]);
  });

  it('when a flush is full, then it goes at once instead of waiting out the linger', async () => {
    const { coalescer, flushes } = doubling(3, 60_000); // a linger longer than the test's timeout
    const results = Promise.all([1, 2, 3, 4].map((n) => coalescer.submit(n)));
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(flushes).to.deep.equal([[1, 2, 3]]);
    // The fourth waits for a linger of its own, unless more arrive to fill its flush.
    for (const n of [5, 6]) void coalescer.submit(n);
    expect(await results).to.deep.equal([2, 4, 6, 8]);
    expect(flushes).to.deep.equal([
      [1, 2, 3],
      [4, 5, 6],
    ]);
  });

  it('when a flush fails, then only its own callers see the error and later items still go', async () => {
    let calls = 0;
    const coalescer = new Coalescer<number, number>((items) => {
      calls += 1;
      return calls === 1 ? Promise.reject(new Error('database down')) : Promise.resolve(items);
    });
    const failed = await Promise.allSettled([coalescer.submit(1), coalescer.submit(2)]);
    expect(failed.map((r) => r.status)).to.deep.equal(['rejected', 'rejected']);
    expect(await coalescer.submit(3)).to.equal(3);
  });
});
