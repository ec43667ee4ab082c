// Starts the controllable SMTP server (smtp-test-server.ts) in its own process and talks to it.
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import net from 'node:net';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { PROJECT_ROOT } from '../../src/config.js';

const SCRIPT = path.join(PROJECT_ROOT, 'test', 'support', 'smtp-test-server.ts');
const TSX = path.join(PROJECT_ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs');

export interface ReceivedMessage {
  to: string;
  messageId: string;
  /** `performance.now()` in this process when the server reported the message (for rates seen at the server). */
  arrivedAt: number;
}

/** A real SMTP server process whose behaviour a test switches with `setMode`. */
export class SmtpTestServer {
  readonly received: ReceivedMessage[] = [];
  /** Every RCPT the server was given, by address: one per try, whoever made it. */
  readonly recipientTries = new Map<string, number>();
  /** The To header of every message received, as it arrived, in order. */
  readonly toHeaders: string[] = [];
  /** The Subject header of every message received, as it arrived, in order. */
  readonly subjects: string[] = [];
  /** The most messages to each recipient domain that were under way at the server at once. */
  readonly peakInFlight = new Map<string, number>();
  private readonly waiters: { line: RegExp; resolve: () => void }[] = [];

  private constructor(
    private readonly child: ChildProcessByStdio<Writable, Readable, null>,
    readonly port: number,
  ) {}

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  /**
   * Spawns the server and resolves once it listens; `mode` is e.g. "accept", "delay 2000", "rcpt-error 451".
   * `smtpUtf8: false` makes a server that does not offer SMTPUTF8.
   */
  static start(mode = 'accept', { smtpUtf8 = true }: { smtpUtf8?: boolean } = {}): Promise<SmtpTestServer> {
    const child = spawn(process.execPath, ['--import', `file://${TSX}`, SCRIPT], {
      stdio: ['pipe', 'pipe', 'inherit'],
      env: { ...process.env, SMTP_TEST_NO_SMTPUTF8: smtpUtf8 ? '0' : '1' },
    });
    return new Promise((resolve, reject) => {
      let server: SmtpTestServer | undefined;
      const lines = createInterface({ input: child.stdout });
      lines.on('line', (line) => {
        const listening = /^listening (\d+)$/.exec(line);
        if (listening) {
          server = new SmtpTestServer(child, Number(listening[1]));
          server.setMode(mode).then(() => resolve(server as SmtpTestServer), reject);
          return;
        }
        server?.onLine(line);
      });
      child.once('exit', (code) => reject(new Error(`SMTP test server exited with ${code}`)));
    });
  }

  private onLine(line: string): void {
    const arrivedAt = performance.now();
    const received = /^received (\S+) (\S+)$/.exec(line);
    if (received) this.received.push({ to: received[1] as string, messageId: received[2] as string, arrivedAt });
    const toHeader = /^to-header (.*)$/.exec(line)?.[1];
    if (toHeader !== undefined) this.toHeaders.push(toHeader);
    const subject = /^subject-header (.*)$/.exec(line)?.[1];
    if (subject !== undefined) this.subjects.push(subject);
    const inFlight = /^in-flight (\S+) (\d+)$/.exec(line);
    if (inFlight) {
      const domain = inFlight[1] as string;
      this.peakInFlight.set(domain, Math.max(this.peakInFlight.get(domain) ?? 0, Number(inFlight[2])));
    }
    const rcpt = /^rcpt (\S+)$/.exec(line)?.[1];
    if (rcpt) this.recipientTries.set(rcpt, (this.recipientTries.get(rcpt) ?? 0) + 1);
    for (const waiter of [...this.waiters]) {
      if (waiter.line.test(line)) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  }

  /** Switches behaviour for new connections and commands; resolves when the server has switched. */
  setMode(mode: string): Promise<void> {
    const name = mode.split(/\s+/)[0] as string;
    const switched = new Promise<void>((resolve) => this.waiters.push({ line: new RegExp(`^mode ${name}$`), resolve }));
    this.child.stdin.write(`mode ${mode}\n`);
    return switched;
  }

  /**
   * Makes every RCPT to the domain answer `code` (with an enhanced `status` such as "4.7.1" if given), whatever the
   * mode; null ends it. Resolves when the server has switched.
   */
  deferDomain(domain: string, code: number | null, status?: string): Promise<void> {
    const switched = new Promise<void>((resolve) =>
      this.waiters.push({ line: new RegExp(`^defer-domain ${domain.toLowerCase().replace(/\./g, '\\.')}$`), resolve }),
    );
    this.child.stdin.write(`defer-domain ${domain} ${code ?? 'off'}${status ? ` ${status}` : ''}\n`);
    return switched;
  }

  /** The recipients of the messages received since the count was `before`, sorted (a duplicate shows twice). */
  recipientsSince(before: number): string[] {
    return this.received
      .slice(before)
      .map((m) => m.to)
      .sort();
  }

  /** How many messages were received for each recipient (a duplicate shows as 2). */
  countsByRecipient(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const { to } of this.received) counts.set(to, (counts.get(to) ?? 0) + 1);
    return counts;
  }

  /** Stops the process. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGKILL');
    await exited;
  }
}

/** A port on which nothing listens (connection refused). */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
