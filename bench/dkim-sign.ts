// `node --import tsx bench/dkim-sign.ts [N]`: the CPU one message's DKIM signing costs, alone in one process:
// RSA 2048 (nodemailer's signer), RSA and Ed25519 (both fields), and the Ed25519 field alone. CPU time, not wall
// time, so that a busy machine changes the figures less.
import { createPrivateKey } from 'node:crypto';
import { generateDkimKey } from '../src/delivery/dkim-keys.js';
import { ed25519SignatureField } from '../src/delivery/dkim-ed25519.js';
import { SIGNED_HEADER_FIELDS, signMessage, type DkimSigning } from '../src/delivery/dkim-sign.js';

const count = Number(process.argv[2] ?? 2000);
const rsa = createPrivateKey(generateDkimKey('rsa').privateKeyPem);
const ed25519 = createPrivateKey(generateDkimKey('ed25519').privateKeyPem);
const rsaOnly: DkimSigning = { domainName: 'bench.example.com', keySelector: 'mailer202612', privateKey: rsa };
const both: DkimSigning = { ...rsaOnly, ed25519: { keySelector: 'mailer202612e', privateKey: ed25519 } };

/** A message like the benchmark's: the fields the pipeline writes, a short text body with its footer. */
function message(i: number): Buffer {
  const header = [
    'From: news@bench.example.com',
    `To: "Client ${i}" <client${i}@example.org>`,
    'Subject: Your weekly digest',
    `Date: ${new Date().toUTCString()}`,
    `Message-ID: <run1.d${i}.a1@bench.example.com>`,
    `List-Unsubscribe: <https://mail.example.com/unsubscribe/${i}.abcdefghijklmnopqrstuvwxyz?lang=en>`,
    'List-Unsubscribe-Post: List-Unsubscribe=One-Click',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 7bit',
  ].join('\r\n');
  const body = `Hello Client ${i},\r\n\r\nHere is what happened this week.\r\n\r\n--\r\nYou get this because...\r\n`;
  return Buffer.from(`${header}\r\n\r\n${body}`);
}

/** CPU microseconds per message (user + system) of one way of signing, after a warm-up. */
async function perMessage(sign: (raw: Buffer) => unknown): Promise<number> {
  for (let i = 0; i < 50; i += 1) await sign(message(i));
  const before = process.cpuUsage();
  for (let i = 0; i < count; i += 1) await sign(message(i));
  const used = process.cpuUsage(before);
  return (used.user + used.system) / count;
}

const unsigned = await perMessage((raw) => raw);
const rsaCost = await perMessage((raw) => signMessage(raw, rsaOnly));
const bothCost = await perMessage((raw) => signMessage(raw, both));
const edField = await perMessage((raw) =>
  ed25519SignatureField(raw, {
    ...rsaOnly,
    keySelector: 'mailer202612e',
    privateKey: ed25519,
    fieldNames: SIGNED_HEADER_FIELDS,
  }),
);
const row = (name: string, us: number) => `${name.padEnd(28)} ${us.toFixed(0).padStart(6)} µs CPU per message`;
process.stdout.write(
  [
    `dkim-sign: ${count} messages each`,
    row('building the message alone', unsigned),
    row('RSA 2048 (nodemailer)', rsaCost),
    row('RSA 2048 + Ed25519', bothCost),
    row('Ed25519 field alone (ours)', edField),
    '',
  ].join('\n'),
);
