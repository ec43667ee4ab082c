// CPU time of the benchmark phase's own process, for the report beside its wall-clock time.

/**
 * Starts counting this process's CPU time (all its threads: SQLite's work runs on libuv's pool); the returned
 * function gives the seconds used since, so each phase reports the same measure.
 */
export function startCpuClock(): () => number {
  const atStart = process.cpuUsage();
  return () => {
    const { user, system } = process.cpuUsage(atStart);
    return (user + system) / 1e6;
  };
}
