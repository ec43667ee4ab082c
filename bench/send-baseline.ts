// Benchmark phase 1 (own process): N messages through plain pooled nodemailer, as many in flight as the pool has.
import nodemailer from 'nodemailer';

const [url, countArg, poolArg] = process.argv.slice(2);
const count = Number(countArg);
const pool = Number(poolArg);
const transport = nodemailer.createTransport({ url, pool: true, maxConnections: pool, maxMessages: Infinity });
let next = 0;
const started = performance.now();
await Promise.all(
  Array.from({ length: pool }, async () => {
    while (next < count) {
      const i = next++;
      await transport.sendMail({
        from: 'Bench <bench@example.com>',
        to: { name: `Client ${i}`, address: `client${i}@example.org` },
        subject: 'Your weekly digest',
        text: `Hello Client ${i},\n\nHere is what happened this week.\n\n--\nTo stop receiving these e-mails: http://localhost:3000/unsubscribe/x.${i}\n`,
        headers: {
          'List-Unsubscribe': `<http://localhost:3000/unsubscribe/x.${i}>`,
          'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
        },
      });
    }
  }),
);
const seconds = (performance.now() - started) / 1000;
transport.close();
process.stdout.write(`${JSON.stringify({ seconds, rssMb: process.resourceUsage().maxRSS / 1024 })}\n`);
