// A controllable SMTP server, run as its own process (see smtp-test-process.ts). It can accept, delay,
// never greet, hang mid-DATA, answer 4xx/5xx at RCPT or DATA, answer garbage, or drop the connection; and
// the faults after which a client cannot know the outcome: take the whole message, then drop the connection
// or reply late (to every message, or to one in N), or drop the connection right after RCPT (always, or on a
// connection that already carried a message).
// Beside the mode, a recipient domain can be made to defer every RCPT (`defer-domain <domain> <code> [status]`,
// e.g. `defer-domain slow.test 421` or `defer-domain slow.test 450 4.7.1`; `defer-domain <domain> off` ends it),
// as a provider slowing one sender down would, while the other domains keep to the mode.
// stdin takes `mode <name> [arg]`; stdout reports `listening <port>`, `rcpt <address>` for every RCPT,
// `received <to> <message-id>` for every message it has whole, and `in-flight <domain> <n>` whenever a message to
// a recipient domain begins (its first RCPT taken) while n messages to that domain, this one included, are under way
// (until the reply to their final dot, or the end of their session).
import net from 'node:net';
import { createInterface } from 'node:readline';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';

type Mode =
  | { name: 'accept' }
  | { name: 'delay'; ms: number }
  | { name: 'rcpt-error'; code: number; status?: string }
  | { name: 'data-error'; code: number }
  | { name: 'hang-data' }
  | { name: 'no-greet' }
  | { name: 'garbage' }
  | { name: 'drop' }
  | { name: 'accept-drop' }
  | { name: 'late-reply'; ms: number }
  | { name: 'late-every'; every: number; ms: number }
  | { name: 'drop-after-rcpt' }
  | { name: 'drop-reused-rcpt' };

let mode: Mode = { name: 'accept' };
/** Recipient domains (lower case) answering every RCPT with this reply code and optional enhanced status. */
const deferredDomains = new Map<string, { code: number; status?: string }>();
let queued = 0;
let messagesTaken = 0;
/** The client side of each proxied connection, by the port its upstream leg to the backend uses. */
const clientByUpstreamPort = new Map<number, net.Socket>();

/** The recipient domain of each session's message under way (from its first RCPT taken to its end). */
const inFlightDomain = new Map<string, string>();
const inFlightCount = new Map<string, number>();

function messageBegins(session: SMTPServerSession, domain: string): void {
  if (inFlightDomain.has(session.id)) return;
  inFlightDomain.set(session.id, domain);
  const count = (inFlightCount.get(domain) ?? 0) + 1;
  inFlightCount.set(domain, count);
  process.stdout.write(`in-flight ${domain} ${count}\n`);
}

function messageEnds(session: SMTPServerSession): void {
  const domain = inFlightDomain.get(session.id);
  if (domain === undefined) return;
  inFlightDomain.delete(session.id);
  inFlightCount.set(domain, (inFlightCount.get(domain) ?? 1) - 1);
}

/** Cuts the client's connection of this session without a word (as a crashing or unplugged server would). */
function dropClient(session: SMTPServerSession): void {
  clientByUpstreamPort.get(session.remotePort)?.destroy();
}

function report(session: SMTPServerSession, raw: Buffer): void {
  const to = session.envelope.rcptTo.map((r) => r.address).join(',');
  const text = raw.toString();
  process.stdout.write(`received ${to} ${messageIdOf(text)}\n`);
  // The To header as it arrived (unfolded), for tests of how addresses are written.
  const toHeader = /^to:[ \t]*(.*(?:\r?\n[ \t].*)*)/im.exec(text)?.[1]?.replace(/\r?\n[ \t]+/g, ' ') ?? '';
  process.stdout.write(`to-header ${toHeader}\n`);
  // The Subject header as it arrived (unfolded, still encoded if it is not ASCII).
  const subject = /^subject:[ \t]*(.*(?:\r?\n[ \t].*)*)/im.exec(text)?.[1]?.replace(/\r?\n[ \t]+/g, ' ') ?? '';
  process.stdout.write(`subject-header ${subject}\n`);
}

function parseMode(words: string[]): Mode {
  const [name, arg] = words;
  switch (name) {
    case 'accept':
    case 'hang-data':
    case 'no-greet':
    case 'garbage':
    case 'drop':
    case 'accept-drop':
    case 'drop-after-rcpt':
    case 'drop-reused-rcpt':
      return { name };
    case 'late-reply':
      return { name, ms: Number(arg ?? 5000) };
    case 'late-every':
      return { name, every: Number(arg ?? 10), ms: Number(words[2] ?? 5000) };
    case 'delay':
      return { name, ms: Number(arg ?? 1000) };
    case 'rcpt-error':
      // An optional enhanced status code (RFC 3463) opens the reply's text: `rcpt-error 550 5.1.1`.
      return { name, code: Number(arg ?? 451), ...(words[2] ? { status: words[2] } : {}) };
    case 'data-error':
      return { name, code: Number(arg ?? 451) };
    default:
      throw new Error(`unknown mode ${name}`);
  }
}

function smtpError(code: number, status?: string): Error & { responseCode: number } {
  const text =
    code === 421
      ? 'Service not available, closing channel'
      : code >= 500
        ? 'Requested action not taken: mailbox unavailable'
        : 'Requested action aborted: try again later';
  return Object.assign(new Error(status ? `${status} ${text}` : text), { responseCode: code });
}

function messageIdOf(raw: string): string {
  return /^message-id:\s*(\S+)/im.exec(raw)?.[1] ?? '-';
}

const backend = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  // A server that cannot take non-ASCII local parts (RFC 6531) does not offer SMTPUTF8.
  hideSMTPUTF8: process.env.SMTP_TEST_NO_SMTPUTF8 === '1',
  logger: false,
  onClose(session) {
    messageEnds(session);
  },
  onRcptTo(address, session, callback) {
    process.stdout.write(`rcpt ${address.address}\n`);
    const deferral = deferredDomains.get(address.address.slice(address.address.indexOf('@') + 1).toLowerCase());
    if (deferral) return callback(smtpError(deferral.code, deferral.status));
    if (mode.name === 'rcpt-error') return callback(smtpError(mode.code, mode.status));
    if (mode.name === 'drop-after-rcpt') return dropClient(session);
    // A connection that already carried a message drops at the next one's RCPT.
    if (mode.name === 'drop-reused-rcpt' && session.transaction > 1) return dropClient(session);
    messageBegins(session, address.address.slice(address.address.indexOf('@') + 1).toLowerCase());
    callback();
  },
  onData(stream: SMTPServerDataStream, session: SMTPServerSession, callback) {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => {
      const current = mode;
      messagesTaken += 1;
      if (current.name === 'hang-data') return; // never answers the end of DATA
      if (current.name === 'data-error') {
        messageEnds(session);
        return callback(smtpError(current.code));
      }
      const raw = Buffer.concat(chunks);
      const reply = (): void => {
        messageEnds(session);
        queued += 1;
        callback(null, `2.0.0 Ok: queued as TEST${queued}`);
      };
      // The server has the whole message and will deliver it, whatever becomes of its reply.
      if (current.name === 'accept-drop') {
        report(session, raw);
        return dropClient(session);
      }
      const late =
        current.name === 'late-reply' || (current.name === 'late-every' && messagesTaken % current.every === 0);
      if (late) {
        report(session, raw);
        setTimeout(reply, current.ms);
        return;
      }
      const finish = (): void => {
        report(session, raw);
        reply();
      };
      if (current.name === 'delay') setTimeout(finish, current.ms);
      else finish();
    });
  },
});

const front = net.createServer((socket) => {
  socket.on('error', () => undefined);
  switch (mode.name) {
    case 'no-greet':
      return; // accept the connection and say nothing, ever
    case 'drop':
      socket.destroy();
      return;
    case 'garbage':
      socket.write('HELLO THERE, THIS IS NOT SMTP\r\n');
      socket.on('data', () => socket.write('??? what ???\r\n'));
      return;
    default: {
      const { port } = (backend as unknown as { server: net.Server }).server.address() as net.AddressInfo;
      const upstream = net.connect(port, '127.0.0.1');
      upstream.on('connect', () => clientByUpstreamPort.set(upstream.localPort as number, socket));
      upstream.on('error', () => socket.destroy());
      socket.on('close', () => {
        if (upstream.localPort !== undefined) clientByUpstreamPort.delete(upstream.localPort);
        upstream.destroy();
      });
      socket.pipe(upstream).pipe(socket);
    }
  }
});

// A connection cut on purpose (drop modes) resets the backend's side: that is no reason to stop serving.
backend.on('error', () => undefined);

backend.listen(0, '127.0.0.1', () => {
  front.listen(0, '127.0.0.1', () => {
    process.stdout.write(`listening ${(front.address() as net.AddressInfo).port}\n`);
  });
});

createInterface({ input: process.stdin }).on('line', (line) => {
  const words = line.trim().split(/\s+/);
  if (words[0] === 'mode') {
    mode = parseMode(words.slice(1));
    process.stdout.write(`mode ${mode.name}\n`);
  }
  if (words[0] === 'defer-domain') {
    const [, domain = '', code = 'off', status] = words;
    if (code === 'off') deferredDomains.delete(domain.toLowerCase());
    else deferredDomains.set(domain.toLowerCase(), { code: Number(code), ...(status ? { status } : {}) });
    process.stdout.write(`defer-domain ${domain.toLowerCase()}\n`);
  }
});
process.stdin.on('end', () => process.exit(0));
