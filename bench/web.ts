// `npm run bench:web`: requests/s and p99 latency of the home page, the blog list and a signed-in mailings list,
// with caching on and then off, against the real server (`mailer serve`, production mode) on a seeded scratch
// database of the configured dialect. The same load tool (autocannon) and settings measure both; ratios are printed.
import autocannon from 'autocannon';
import { parseArgs } from 'node:util';
import { DEMO_PASSWORD, seedDemoData } from '../seeders/demo-data.js';
import { loadConfig } from '../src/config.js';
import { openDatabase } from '../src/db/connection.js';
import { migrateUp } from '../src/db/migrations.js';
import { Post, User } from '../src/db/models/index.js';
import { createScratchDatabase } from '../test/support/database.js';
import { BEHIND_TLS, signIn, startServer, stopServer } from './server.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    connections: { type: 'string', default: '10' },
    posts: { type: 'string', default: '60' },
  },
});
const seconds = Number(values.seconds);
const connections = Number(values.connections);
const extraPosts = Number(values.posts);
for (const [name, value] of Object.entries({ seconds, connections, posts: extraPosts })) {
  if (!Number.isInteger(value) || value <= 0) {
    process.stderr.write(`bench:web: --${name} must be a positive whole number\n`);
    process.exit(1);
  }
}

/** Seeds the demo data plus more published posts, so the blog has pages (not measured). */
async function prepare(url: string): Promise<void> {
  const sequelize = await openDatabase(loadConfig({ ...process.env, DATABASE_URL: url }).database);
  await migrateUp(sequelize);
  await seedDemoData(sequelize, { timeZone: 'UTC' });
  const author = await User.findOne({ where: { role: 'content_manager' } });
  await Post.bulkCreate(
    Array.from({ length: extraPosts }, (_, i) => ({
      title: `Benchmark post ${i + 1}`,
      content:
        `## Part ${i + 1}\n\nSome *Markdown* text with a [link](https://example.org) and a list:\n\n- one\n- two\n`.repeat(
          4,
        ),
      authorId: author?.id ?? null,
      isPublished: true,
      publishedAt: new Date(Date.now() - (i + 1) * 3600_000),
    })),
  );
  await sequelize.close();
}

interface Measure {
  rps: number;
  p99: number;
  errors: number;
}

async function measure(url: string, headers: Record<string, string>): Promise<Measure> {
  await autocannon({ url, connections, duration: 1, headers }); // warm-up (JIT, template cache, caches)
  const result = await autocannon({ url, connections, duration: seconds, headers });
  return { rps: result.requests.average, p99: result.latency.p99, errors: result.non2xx + result.errors };
}

const TARGETS = [
  { name: 'home (anonymous)', path: '/', signedIn: false },
  { name: 'blog list (anonymous)', path: '/blog', signedIn: false },
  { name: 'mailings list (signed in)', path: '/mailings', signedIn: true },
] as const;

const scratch = await createScratchDatabase();
try {
  await prepare(scratch.url);
  const results: Record<string, Record<'on' | 'off', Measure>> = {};
  for (const cache of ['on', 'off'] as const) {
    const server = await startServer(scratch.url, { CACHE: cache });
    try {
      const cookie = await signIn(server.base, 'demo@example.com', DEMO_PASSWORD);
      for (const target of TARGETS) {
        const headers: Record<string, string> = {
          ...BEHIND_TLS,
          'accept-language': 'en',
          ...(target.signedIn ? { cookie } : {}),
        };
        (results[target.name] ??= {} as Record<'on' | 'off', Measure>)[cache] = await measure(
          `${server.base}${target.path}`,
          headers,
        );
      }
    } finally {
      await stopServer(server);
    }
  }

  const dialect = scratch.url.startsWith('postgres') ? 'PostgreSQL' : 'SQLite';
  process.stdout.write(`bench:web on ${dialect}, ${connections} connections, ${seconds} s per measure\n`);
  process.stdout.write(
    'page                          cache on: req/s   p99 ms | cache off: req/s   p99 ms | ratio req/s  p99\n',
  );
  for (const [name, { on, off }] of Object.entries(results)) {
    const row = [
      name.padEnd(28),
      on.rps.toFixed(0).padStart(15),
      on.p99.toFixed(0).padStart(8),
      ' |',
      off.rps.toFixed(0).padStart(16),
      off.p99.toFixed(0).padStart(8),
      ' |',
      (on.rps / off.rps).toFixed(2).padStart(11),
      (off.p99 / Math.max(on.p99, 1)).toFixed(2).padStart(5),
      on.errors + off.errors > 0 ? `  (${on.errors + off.errors} errors)` : '',
    ];
    process.stdout.write(`${row.join(' ')}\n`);
  }
  process.stdout.write(`${JSON.stringify({ dialect, connections, seconds, results })}\n`);
} finally {
  await scratch.drop();
}
