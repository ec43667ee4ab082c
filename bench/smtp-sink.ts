// A lean SMTP sink for benchmarks, in its own process: accepts everything, prints its port, and on each
// "count" line from stdin prints how many messages and bytes it has received (to check both phases sent alike).
import type net from 'node:net';
import { createInterface } from 'node:readline';
import { SMTPServer } from 'smtp-server';

let received = 0;
let bytes = 0;
const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  logger: false,
  onData(stream, _session, callback) {
    stream.on('data', (chunk: Buffer) => (bytes += chunk.length));
    stream.on('end', () => {
      received += 1;
      callback(null, `2.0.0 Ok: queued as B${received}`);
    });
  },
});
server.listen(0, '127.0.0.1', () => {
  const { port } = (server as unknown as { server: net.Server }).server.address() as net.AddressInfo;
  process.stdout.write(`listening ${port}\n`);
});
createInterface({ input: process.stdin }).on('line', () => {
  const { user, system } = process.cpuUsage();
  process.stdout.write(`count ${received} ${bytes} ${(user + system) / 1e6}\n`);
});
process.on('SIGTERM', () => process.exit(0));
