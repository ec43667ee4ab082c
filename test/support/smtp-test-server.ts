// A controllable SMTP server, run as its own process (see smtp-test-process.ts). It can accept, delay,
// never greet, hang mid-DATA, answer 4xx/5xx at RCPT or DATA, answer garbage, or drop the connection.
// stdin takes `mode <name> [arg]`; stdout reports `listening <port>` and `received <to> <message-id>`.
import net from 'node:net';
import { createInterface } from 'node:readline';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';

type Mode =
  | { name: 'accept' }
  | { name: 'delay'; ms: number }
  | { name: 'rcpt-error'; code: number }
  | { name: 'data-error'; code: number }
  | { name: 'hang-data' }
  | { name: 'no-greet' }
  | { name: 'garbage' }
  | { name: 'drop' };

let mode: Mode = { name: 'accept' };
let queued = 0;

function parseMode(words: string[]): Mode {
  const [name, arg] = words;
  switch (name) {
    case 'accept':
    case 'hang-data':
    case 'no-greet':
    case 'garbage':
    case 'drop':
      return { name };
    case 'delay':
      return { name, ms: Number(arg ?? 1000) };
    case 'rcpt-error':
    case 'data-error':
      return { name, code: Number(arg ?? 451) };
    default:
      throw new Error(`unknown mode ${name}`);
  }
}

function smtpError(code: number): Error & { responseCode: number } {
  const text =
    code === 421
      ? 'Service not available, closing channel'
      : code >= 500
        ? 'Requested action not taken: mailbox unavailable'
        : 'Requested action aborted: try again later';
  return Object.assign(new Error(text), { responseCode: code });
}

function messageIdOf(raw: string): string {
  return /^message-id:\s*(\S+)/im.exec(raw)?.[1] ?? '-';
}

const backend = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  logger: false,
  onRcptTo(address, _session, callback) {
    if (mode.name === 'rcpt-error') return callback(smtpError(mode.code));
    callback();
  },
  onData(stream: SMTPServerDataStream, session: SMTPServerSession, callback) {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => {
      const current = mode;
      if (current.name === 'hang-data') return; // never answers the end of DATA
      if (current.name === 'data-error') return callback(smtpError(current.code));
      const finish = (): void => {
        const to = session.envelope.rcptTo.map((r) => r.address).join(',');
        process.stdout.write(`received ${to} ${messageIdOf(Buffer.concat(chunks).toString())}\n`);
        queued += 1;
        callback(null, `2.0.0 Ok: queued as TEST${queued}`);
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
      upstream.on('error', () => socket.destroy());
      socket.on('close', () => upstream.destroy());
      socket.pipe(upstream).pipe(socket);
    }
  }
});

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
});
process.stdin.on('end', () => process.exit(0));
