// Benchmark phase 2 (own process): the whole pipeline for a prepared mailing: run creation and recipient
// snapshot, claiming, rendering, sending, logging every attempt. Prints the time and this process's peak RSS.
import { loadConfig } from '../src/config.js';
import { openDatabase } from '../src/db/connection.js';
import { startRunNow } from '../src/delivery/mailing-lifecycle.js';
import { workUntilEnded } from '../src/delivery/foreground.js';
import { RunWorker } from '../src/delivery/run-worker.js';
import { createMailTransport } from '../src/delivery/transports.js';
import { createLogger } from '../src/logger.js';
import { MailingRun } from '../src/db/models/index.js';
import { startCpuClock } from './cpu-clock.js';

const [databaseUrl, smtpUrl, mailingIdArg] = process.argv.slice(2);
const config = loadConfig({ ...process.env, DATABASE_URL: databaseUrl, SMTP_URL: smtpUrl, LOG_LEVEL: 'silent' });
const sequelize = await openDatabase(config.database);
const transport = createMailTransport(config, sequelize);
const worker = new RunWorker({ sequelize, config, transport, logger: createLogger('silent') });
// BENCH_MEMORY=1 prints this process's memory every 3 s (to tell live data from garbage V8 has not collected).
if (process.env.BENCH_MEMORY)
  setInterval(() => {
    const m = process.memoryUsage();
    process.stderr.write(
      `mem rss=${(m.rss / 1048576).toFixed(0)} heap=${(m.heapUsed / 1048576).toFixed(0)} ext=${(m.external / 1048576).toFixed(0)} buf=${(m.arrayBuffers / 1048576).toFixed(0)}\n`,
    );
  }, 3000).unref();
const started = performance.now();
const cpuSeconds = startCpuClock();
const run = await startRunNow(sequelize, Number(mailingIdArg));
const createdSeconds = (performance.now() - started) / 1000;
const progress = await workUntilEnded(worker, run.id);
const seconds = (performance.now() - started) / 1000;
const finished = await MailingRun.findByPk(run.id, { rejectOnEmpty: true });
worker.stop();
transport.close();
await sequelize.close();
process.stdout.write(
  `${JSON.stringify({ seconds, rssMb: process.resourceUsage().maxRSS / 1024, cpuSeconds: cpuSeconds(), state: progress.state, sent: finished.sentCount, createdSeconds })}\n`,
);
