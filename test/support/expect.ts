// Assertion helpers the suite shares.

/** Awaits a promise that must fail and returns its error; fails the test if it succeeds. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to be rejected, but it resolved');
}
