// `npm run bench:send -- --recipients N`: plain pooled nodemailer (baseline) vs the whole pipeline, same
// sink, same run, on the configured database (a scratch database of its dialect). Prints rates and the ratio.
// `--dkim` sends as an identity on a signing domain (RSA; the baseline signs with nodemailer's DKIM option and the
// same key); `--ed25519` gives the domain an Ed25519 key too, which only the pipeline signs with (a second field).
import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { loadConfig, PROJECT_ROOT } from '../src/config.js';
import { openDatabase } from '../src/db/connection.js';
import { migrateUp } from '../src/db/migrations.js';
import { Client, Mailing, Message, User } from '../src/db/models/index.js';
import { ed25519SignatureField } from '../src/delivery/dkim-ed25519.js';
import { SIGNED_HEADER_FIELDS } from '../src/delivery/dkim-sign.js';
import { addDomain } from '../src/domains/domains.service.js';
import { createIdentity } from '../src/domains/identities.service.js';
import { createScratchDatabase } from '../test/support/database.js';
import { postgresCpuSeconds } from './postgres-cpu.js';

const { values } = parseArgs({
  options: {
    recipients: { type: 'string', default: '10000' },
    rounds: { type: 'string', default: '3' },
    dkim: { type: 'boolean', default: false },
    ed25519: { type: 'boolean', default: false },
  },
});
/** The signing domain's keys: none, RSA, or RSA and Ed25519 (`--ed25519` implies `--dkim`). */
const signing = values.ed25519 ? 'rsa+ed25519' : values.dkim ? 'rsa' : 'none';
const SIGNING_DOMAIN = 'bench.example.com';
const SIGNING_FROM = `news@${SIGNING_DOMAIN}`;
const recipients = Number(values.recipients);
const rounds = Number(values.rounds);
for (const [name, value] of [
  ['--recipients', recipients],
  ['--rounds', rounds],
] as const) {
  if (!Number.isInteger(value) || value <= 0) {
    process.stderr.write(`bench:send: ${name} must be a positive whole number\n`);
    process.exit(1);
  }
}
/** The phases run from the JavaScript build (as `bin/mailer` does), each in a fresh Node process. */
const phaseFile = (name: string): string => path.join(PROJECT_ROOT, 'build', 'bench', `${name}.js`);
/** The V8 flags `bin/mailer` runs with: the pipeline phase is measured as a sending process runs. */
const MAILER_V8_FLAGS = (
  /^V8_FLAGS="([^"]*)"/m.exec(readFileSync(path.join(PROJECT_ROOT, 'bin', 'mailer'), 'utf8'))?.[1] ?? ''
)
  .split(' ')
  .filter(Boolean);
const config = loadConfig();
const pool = config.delivery.poolSize;

/** Runs a benchmark phase in its own Node process and returns its last stdout line as JSON. */
function runPhase<T>(name: string, args: string[]): Promise<T> {
  return new Promise((resolve, reject) => {
    // BENCH_PROFILE=1 writes a CPU profile of each measured phase to var/profiles/ (open it in Chrome DevTools).
    const profile = process.env.BENCH_PROFILE
      ? ['--cpu-prof', `--cpu-prof-dir=${path.join(PROJECT_ROOT, 'var', 'profiles')}`]
      : [];
    const child = spawn(
      process.execPath,
      [...profile, ...(name === 'send-pipeline' ? MAILER_V8_FLAGS : []), phaseFile(name), ...args],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('exit', (code) =>
      code === 0
        ? resolve(JSON.parse(out.trim().split('\n').pop() as string) as T)
        : reject(new Error(`${name} exited with ${code}`)),
    );
  });
}

interface Measured {
  seconds: number;
  rssMb: number;
  cpuSeconds: number;
}

interface Sink {
  url: string;
  /** What the sink has received so far. */
  count(): Promise<{ messages: number; bytes: number; cpuSeconds: number }>;
  stop(): void;
}

async function startSink(): Promise<Sink> {
  const child = spawn(process.execPath, [phaseFile('smtp-sink')], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  const nextLine = (): Promise<string[]> => new Promise((resolve) => lines.once('line', (l) => resolve(l.split(' '))));
  const [, port] = await nextLine();
  return {
    url: `smtp://127.0.0.1:${port}`,
    async count() {
      const reply = nextLine();
      child.stdin.write('count\n');
      const [, messages, bytes, cpu] = await reply;
      return { messages: Number(messages), bytes: Number(bytes), cpuSeconds: Number(cpu) };
    },
    stop: () => child.kill('SIGTERM'),
  };
}

/** A verified sending domain with the keys asked for and an identity on it (no display name: From is the address). */
async function signingIdentity(owner: User): Promise<{ identityId: number; domainId: number; ed25519Bytes: number }> {
  const domain = await addDomain(owner, { name: SIGNING_DOMAIN, ed25519: signing === 'rsa+ed25519' }, config.senders);
  await domain.update({ verifiedAt: new Date() });
  const identity = await createIdentity(owner, {
    domainId: domain.id,
    displayName: '',
    fromAddress: SIGNING_FROM,
    replyTo: null,
  });
  return {
    identityId: identity.id,
    domainId: domain.id,
    ed25519Bytes: domain.ed25519Selector ? ed25519FieldBytes(domain.ed25519Selector) : 0,
  };
}

/**
 * The bytes the Ed25519 field adds to each message, which the baseline does not send (nodemailer cannot sign with
 * that key): its length depends only on the domain, the selector and the fields present, not on the key or text.
 */
function ed25519FieldBytes(selector: string): number {
  const fields = [
    'From',
    'To',
    'Subject',
    'Date',
    'Message-ID',
    'List-Unsubscribe',
    'List-Unsubscribe-Post',
    'MIME-Version',
    'Content-Type',
  ];
  const sample = Buffer.from(`${fields.map((f) => `${f}: x`).join('\r\n')}\r\n\r\nx\r\n`);
  const { privateKey } = generateKeyPairSync('ed25519');
  const field = ed25519SignatureField(sample, {
    domainName: SIGNING_DOMAIN,
    keySelector: selector,
    privateKey,
    fieldNames: SIGNED_HEADER_FIELDS,
  });
  return Buffer.byteLength(field) + 2;
}

/** Creates a user with N clients and one mailing to all of them per round (not measured). */
async function prepare(
  url: string,
): Promise<{ mailingIds: number[]; firstClientId: number; domainId: number | null; ed25519Bytes: number }> {
  const sequelize = await openDatabase(loadConfig({ ...process.env, DATABASE_URL: url }).database);
  await migrateUp(sequelize);
  const owner = await User.create({ email: 'bench@example.com', passwordHash: 'x', timeZone: 'UTC' });
  const sender = signing === 'none' ? null : await signingIdentity(owner);
  const message = await Message.create({
    ownerId: owner.id,
    subject: 'Your weekly digest',
    bodyText: 'Hello {{full_name}},\n\nHere is what happened this week.\n',
  });
  const mailings = await Mailing.bulkCreate(
    Array.from({ length: rounds }, (_, round) => ({
      ownerId: owner.id,
      messageId: message.id,
      name: `Bench round ${round + 1}`,
      startAt: new Date(),
      endAt: new Date(Date.now() + 86_400_000),
      periodicity: 'once' as const,
      timeZone: 'UTC',
      senderIdentityId: sender?.identityId ?? null,
    })),
    { returning: true },
  );
  let firstClientId = 0;
  for (let from = 0; from < recipients; from += 1000) {
    const rows = Array.from({ length: Math.min(1000, recipients - from) }, (_, i) => ({
      ownerId: owner.id,
      email: `client${from + i}@example.org`,
      fullName: `Client ${from + i}`,
    }));
    const clients = await Client.bulkCreate(rows, { returning: true });
    firstClientId ||= clients[0]?.id ?? 0;
    for (const mailing of mailings)
      await sequelize.getQueryInterface().bulkInsert(
        'mailing_clients',
        clients.map((c) => ({ mailing_id: mailing.id, client_id: c.id })),
      );
  }
  await sequelize.close();
  return {
    mailingIds: mailings.map((m) => m.id),
    firstClientId,
    domainId: sender?.domainId ?? null,
    ed25519Bytes: sender?.ed25519Bytes ?? 0,
  };
}

/** CPU seconds of the sending process and of the sink during a phase (on 2 cores they compete). */
const cpu = (sender: number, sink: number): string => `${sender.toFixed(1)} s sender + ${sink.toFixed(1)} s sink`;

const median = (numbers: number[]): number => {
  const sorted = [...numbers].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
};

const scratch = await createScratchDatabase();
const sink = await startSink();
try {
  const dialect = scratch.url.startsWith('sqlite') ? 'SQLite' : 'PostgreSQL';
  process.stdout.write(
    `bench:send: ${recipients} recipients, ${dialect}, SMTP pool ${pool}, sink in its own process, ${rounds} rounds, pipeline run with \`${MAILER_V8_FLAGS.join(' ') || 'no V8 flags'}\` as bin/mailer, DKIM ${signing}\n`,
  );
  const { mailingIds, firstClientId, domainId, ed25519Bytes } = await prepare(scratch.url);
  // With a signing domain the baseline sends as its address and signs with its RSA key, read from the database.
  const sender = domainId === null ? null : { from: SIGNING_FROM, databaseUrl: scratch.url, domainId };
  const settings = { from: config.mailFrom, appUrl: config.appUrl, secret: config.sessionSecret, sender };
  const ratios: number[] = [];
  let peakRss = 0;
  for (const [index, mailingId] of mailingIds.entries()) {
    const round = index + 1;
    const beforeBaseline = await sink.count();
    const baseline = await runPhase<Measured>('send-baseline', [
      sink.url,
      String(recipients),
      String(pool),
      String(firstClientId),
      String(round),
      JSON.stringify(settings),
    ]);
    const afterBaseline = await sink.count();
    const databaseCpuBefore = dialect === 'PostgreSQL' ? postgresCpuSeconds() : null;
    const pipeline = await runPhase<Measured & { state: string; sent: number; createdSeconds: number }>(
      'send-pipeline',
      [scratch.url, sink.url, String(mailingId)],
    );
    if (pipeline.state !== 'finished' || pipeline.sent !== recipients)
      throw new Error(`pipeline ended ${pipeline.state} with ${pipeline.sent} sent`);
    // Both phases must have sent the same messages: same count and (within a few bytes each) the same size.
    const afterPipeline = await sink.count();
    const databaseCpuAfter = databaseCpuBefore === null ? null : postgresCpuSeconds();
    const databaseCpu =
      databaseCpuBefore === null || databaseCpuAfter === null
        ? ''
        : ` + ${(databaseCpuAfter - databaseCpuBefore).toFixed(1)} s PostgreSQL`;
    const baseBytes = (afterBaseline.bytes - beforeBaseline.bytes) / recipients;
    const pipeBytes = (afterPipeline.bytes - afterBaseline.bytes) / recipients;
    if (
      afterPipeline.messages - beforeBaseline.messages !== 2 * recipients ||
      Math.abs(pipeBytes - baseBytes - ed25519Bytes) > 8
    )
      throw new Error(`the phases sent different mail: ${baseBytes.toFixed(0)} vs ${pipeBytes.toFixed(0)} bytes each`);
    const baseRate = recipients / baseline.seconds;
    const pipeRate = recipients / pipeline.seconds;
    ratios.push(pipeRate / baseRate);
    peakRss = Math.max(peakRss, pipeline.rssMb);
    process.stdout.write(
      [
        `round ${round}: messages of ${pipeBytes.toFixed(0)} bytes in both phases${ed25519Bytes ? ` (the pipeline's with the ${ed25519Bytes}-byte Ed25519 field the baseline cannot sign)` : ''}`,
        `  baseline (pooled nodemailer): ${baseRate.toFixed(0)} msg/s (${baseline.seconds.toFixed(1)} s, peak RSS ${baseline.rssMb.toFixed(0)} MB, CPU ${cpu(baseline.cpuSeconds, afterBaseline.cpuSeconds - beforeBaseline.cpuSeconds)})`,
        `  pipeline (run + claim + render + log): ${pipeRate.toFixed(0)} msg/s (${pipeline.seconds.toFixed(1)} s of which ${pipeline.createdSeconds.toFixed(1)} s creating the run, peak RSS ${pipeline.rssMb.toFixed(0)} MB, CPU ${cpu(pipeline.cpuSeconds, afterPipeline.cpuSeconds - afterBaseline.cpuSeconds)}${databaseCpu})`,
        `  ratio pipeline/baseline: ${(pipeRate / baseRate).toFixed(2)}`,
        '',
      ].join('\n'),
    );
  }
  process.stdout.write(
    `ratio pipeline/baseline: ${median(ratios).toFixed(2)} (median of ${rounds}; ${ratios.map((r) => r.toFixed(2)).join(', ')}), pipeline peak RSS ${peakRss.toFixed(0)} MB\n`,
  );
} finally {
  sink.stop();
  // BENCH_KEEP=1 keeps the scratch database, to EXPLAIN the engine's statements on its data afterwards.
  if (!process.env.BENCH_KEEP) await scratch.drop();
  else process.stdout.write(`kept ${scratch.url}\n`);
}
