// CPU time of a PostgreSQL server running on this machine, read from /proc: on a shared machine the database
// competes with the sender and the sink, and a benchmark should show how much.
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ, the unit of /proc/<pid>/stat times on Linux

/**
 * The CPU seconds all `postgres` processes have used so far, including backends that have exited (the
 * postmaster counts its reaped children), or null when no PostgreSQL server is visible here.
 */
export function postgresCpuSeconds(): number | null {
  let ticks = 0;
  let found = false;
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue; // the process ended between the listing and the read
    }
    const close = stat.lastIndexOf(')');
    if (stat.slice(stat.indexOf('(') + 1, close) !== 'postgres') continue;
    found = true;
    // After the command come state (3rd field) …; utime, stime, cutime, cstime are fields 14–17.
    const fields = stat.slice(close + 2).split(' ');
    ticks += [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0);
  }
  return found ? ticks / TICKS_PER_SECOND : null;
}
