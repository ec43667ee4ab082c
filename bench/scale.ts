// `npm run bench:scale`: issue 17's data set built by SQL in a scratch database of the configured dialect. For now
// only the build phase runs (its time and size); the screen, neighbour, export, import and snapshot phases are to come.
import { loadConfig } from '../src/config.js';
import { openDatabase } from '../src/db/connection.js';
import { migrateUp } from '../src/db/migrations.js';
import { createScratchDatabase } from '../test/support/database.js';
import { buildScaleData, FULL_SIZES, scaled } from './scale-data.js';

const factor = Number(process.argv.find((arg) => arg.startsWith('--scale='))?.slice(8) ?? '1');
const scratch = await createScratchDatabase();
try {
  const sequelize = await openDatabase(loadConfig({ ...process.env, DATABASE_URL: scratch.url }).database);
  try {
    await migrateUp(sequelize);
    const started = performance.now();
    const data = await buildScaleData(sequelize, factor === 1 ? FULL_SIZES : scaled(factor));
    const seconds = (performance.now() - started) / 1000;
    process.stdout.write(
      `build: ${seconds.toFixed(1)} s for ${data.deliveries} deliveries (goal seconds, not minutes)\n`,
    );
  } finally {
    await sequelize.close();
  }
} finally {
  await scratch.drop();
}
