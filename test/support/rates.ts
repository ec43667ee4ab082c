// Rates seen at the SMTP server, for the tests of the shared send rate: from arrival times in milliseconds.

/**
 * The share of its rate a limiter must reach even on a loaded machine (CI saw 0.87 with the suite's workers busy).
 * The promise is the upper bound; the lower one only shows the limiter is no brake: a timer that fires a slot
 * late loses it (by design, slots are never used late, which would bunch messages).
 */
export const MAY_LOSE_UNDER_LOAD = 0.7;

/** Starts per second from the first to the last. */
export function overallRate(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  return ((sorted.length - 1) * 1000) / ((sorted.at(-1) ?? 0) - (sorted[0] ?? 0));
}

/** The most starts within any `windowMs` (half-open windows beginning at a start). */
export function busiestWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  let end = 0;
  for (let start = 0; start < sorted.length; start += 1) {
    while (end < sorted.length && (sorted[end] as number) < (sorted[start] as number) + windowMs) end += 1;
    most = Math.max(most, end - start);
  }
  return most;
}
