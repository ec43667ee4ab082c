// Benchmark phase 1 (own process): N messages through plain pooled nodemailer, as many in flight as the pool
// has. The messages are the ones the pipeline sends (same headers, text and unsubscribe link), built inline.
import nodemailer from 'nodemailer';
import type { Options as DkimOptions } from 'nodemailer/lib/dkim';
import { loadConfig } from '../src/config.js';
import { openDatabase } from '../src/db/connection.js';
import { SendingDomain } from '../src/db/models/index.js';
import { footerOf, senderNameOf, unsubscribeUrlOf } from '../src/delivery/compose.js';
import { decryptPrivateKey } from '../src/delivery/dkim-keys.js';
import { SIGNED_HEADER_FIELDS } from '../src/delivery/dkim-sign.js';
import { startCpuClock } from './cpu-clock.js';

const [url, countArg, poolArg, firstClientArg, roundArg, settingsJson] = process.argv.slice(2);
const count = Number(countArg);
const pool = Number(poolArg);
const firstClientId = Number(firstClientArg);
const round = Number(roundArg); // the pipeline's run of this round has this id, its deliveries follow the last round's
const { from, appUrl, secret, sender } = JSON.parse(settingsJson as string) as {
  from: string;
  appUrl: string;
  secret: string;
  /** With `--dkim`: the identity's address and the domain whose RSA key signs (nodemailer's DKIM option). */
  sender: { from: string; databaseUrl: string; domainId: number } | null;
};
const fromHeader = sender?.from ?? from;
const domain = /@([^>\s]+)>?\s*$/.exec(fromHeader)?.[1] ?? 'localhost';

/** nodemailer's DKIM option for the signing domain, its key opened as the pipeline opens it (not measured). */
async function dkimOption(): Promise<DkimOptions | undefined> {
  if (!sender) return undefined;
  const config = loadConfig({ ...process.env, DATABASE_URL: sender.databaseUrl, LOG_LEVEL: 'silent' });
  const sequelize = await openDatabase(config.database);
  const signing = await SendingDomain.scope('withKeys').findByPk(sender.domainId, { rejectOnEmpty: true });
  await sequelize.close();
  return {
    domainName: signing.name,
    keySelector: signing.dkimSelector,
    privateKey: decryptPrivateKey(signing.dkimPrivateKeyEncrypted, config.senders.dkimKeySecret),
    headerFieldNames: SIGNED_HEADER_FIELDS.join(':'),
  };
}
const dkim = await dkimOption();
const transport = nodemailer.createTransport({
  url,
  pool: true,
  maxConnections: pool,
  maxMessages: Infinity,
  ...(dkim ? { dkim } : {}),
});
// The message bench/send.ts stores (English, its owner has no name): its footer and link come from compose.ts,
// so both phases send the same bytes whatever the footer says.
const content = {
  subject: 'Your weekly digest',
  bodyText: '',
  bodyHtml: null,
  language: 'en' as const,
  senderName: senderNameOf('', from),
};
let next = 0;
const started = performance.now();
const cpuSeconds = startCpuClock();
await Promise.all(
  Array.from({ length: pool }, async () => {
    while (next < count) {
      const i = next++;
      const unsubscribe = unsubscribeUrlOf(firstClientId + i, content.language, { from, appUrl, secret });
      await transport.sendMail({
        from: fromHeader,
        to: { name: `Client ${i}`, address: `client${i}@example.org` },
        subject: 'Your weekly digest',
        text: `Hello Client ${i},\n\nHere is what happened this week.\n${footerOf(content, unsubscribe).text}`,
        messageId: `<run${round}.d${(round - 1) * count + i + 1}.a1@${domain}>`,
        date: new Date(),
        headers: { 'List-Unsubscribe': `<${unsubscribe}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
      });
    }
  }),
);
const seconds = (performance.now() - started) / 1000;
transport.close();
process.stdout.write(
  `${JSON.stringify({ seconds, rssMb: process.resourceUsage().maxRSS / 1024, cpuSeconds: cpuSeconds() })}\n`,
);
