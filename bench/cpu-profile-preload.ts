// Preloaded with NODE_OPTIONS=--import=... (where --cpu-prof is refused): profiles the process with the inspector
// and writes CPU_PROFILE_DIR/<pid>.cpuprofile when it exits, for bench/report-cpu.ts --profile.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import path from 'node:path';

const session = new Session();
session.connect();
session.post('Profiler.enable');
session.post('Profiler.setSamplingInterval', { interval: 200 });
session.post('Profiler.start');
// The inspector answers a session of the same thread synchronously, so the profile is written before the exit.
process.on('exit', () => {
  session.post('Profiler.stop', (error, result) => {
    if (error) return;
    const file = path.join(process.env.CPU_PROFILE_DIR ?? '.', `${process.pid}.cpuprofile`);
    writeFileSync(file, JSON.stringify(result.profile));
  });
});
