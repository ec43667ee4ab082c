// Benchmark phase 1 (own process): N messages through plain pooled nodemailer, as many in flight as the pool
// has. The messages are the ones the pipeline sends (same headers, text and unsubscribe link), built inline.
import nodemailer from 'nodemailer';
import { footerOf, senderNameOf, unsubscribeUrlOf } from '../src/delivery/compose.js';
import { startCpuClock } from './cpu-clock.js';

const [url, countArg, poolArg, firstClientArg, roundArg, settingsJson] = process.argv.slice(2);
const count = Number(countArg);
const pool = Number(poolArg);
const firstClientId = Number(firstClientArg);
const round = Number(roundArg); // the pipeline's run of this round has this id, its deliveries follow the last round's
const { from, appUrl, secret } = JSON.parse(settingsJson as string) as { from: string; appUrl: string; secret: string };
const domain = /@([^>\s]+)>?\s*$/.exec(from)?.[1] ?? 'localhost';
const transport = nodemailer.createTransport({ url, pool: true, maxConnections: pool, maxMessages: Infinity });
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
        from,
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
