// A lean SMTP sink for benchmarks, in its own process: accepts everything, counts, prints its port.
import type net from 'node:net';
import { SMTPServer } from 'smtp-server';

let received = 0;
const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  logger: false,
  onData(stream, _session, callback) {
    stream.on('data', () => undefined);
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
process.on('SIGTERM', () => process.exit(0));
