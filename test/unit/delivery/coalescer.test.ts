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

  it('when somebody hurries an item while a flush is in flight, then the next flush carrying it skips its linger', async () => {
    const flushes: number[][] = [];
    let release: () => void = () => undefined;
    const coalescer = new Coalescer<number, number>(
      async (items) => {
        flushes.push(items);
        if (flushes.length === 1) await new Promise<void>((resolve) => (release = resolve));
        return items;
      },
      10,
      60_000, // a linger longer than the test's timeout: only the hurry can end it
    );
    const first = coalescer.submit(1);
    coalescer.hurry(1); // ends the first linger
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(flushes).to.deep.equal([[1]]);
    const second = coalescer.submit(2);
    coalescer.hurry(2); // no linger to end yet: the first flush is still in flight
    release();
    expect(await Promise.all([first, second])).to.deep.equal([1, 2]);
    expect(flushes).to.deep.equal([[1], [2]]);
  });

  it('when somebody hurries an item already in flight, then the next flush still lingers', async () => {
    const { coalescer, flushes } = doubling(10, 30);
    const first = coalescer.submit(1);
    coalescer.hurry(1);
    await new Promise((resolve) => setTimeout(resolve, 0));
    coalescer.hurry(1); // in flight (or done): nothing to hurry
    const second = coalescer.submit(2);
    const third = coalescer.submit(3);
    expect(await Promise.all([first, second, third])).to.deep.equal([2, 4, 6]);
    expect(flushes).to.deep.equal([[1], [2, 3]]);
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

  it('when two flushes may run at once, then items that arrive while one is in flight go in a second at once, and no more', async () => {
    const flushes: number[][] = [];
    const releases: (() => void)[] = [];
    const coalescer = new Coalescer<number, number>(
      async (items) => {
        flushes.push(items);
        await new Promise<void>((resolve) => releases.push(resolve));
        return items;
      },
      10,
      0,
      10,
      2,
    );
    const results = [coalescer.submit(1)];
    await new Promise((resolve) => setTimeout(resolve, 5));
    results.push(coalescer.submit(2));
    await new Promise((resolve) => setTimeout(resolve, 5));
    // Both slots are taken: the third waits for one of them.
    results.push(coalescer.submit(3));
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(flushes).to.deep.equal([[1], [2]]);
    releases[1]?.();
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(flushes).to.deep.equal([[1], [2], [3]]);
    releases[0]?.();
    releases[2]?.();
    expect(await Promise.all(results)).to.deep.equal([1, 2, 3]);
  });
});
