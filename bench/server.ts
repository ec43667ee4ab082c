// The real server for the benchmarks: `mailer serve` started in production mode on a database, and a customer
// signed in through the real login form (its CSRF token and session cookie), as a browser behind TLS would.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { PROJECT_ROOT } from '../src/config.js';

/** A running `mailer serve`: where it listens and its process (its pid is node's: bin/mailer execs it). */
export interface Server {
  base: string;
  child: ChildProcess;
  /** Set by stopServer: the exit that follows is expected. */
  stopping: boolean;
}

/** Production cookies are Secure: the server trusts one proxy, so requests say the (imaginary) proxy spoke HTTPS. */
export const BEHIND_TLS = { 'x-forwarded-proto': 'https' } as const;

/** Starts `mailer serve` in production mode on the database (extra settings in `env`) and waits until it listens. */
export async function startServer(databaseUrl: string, env: Record<string, string> = {}): Promise<Server> {
  const child = spawn(path.join(PROJECT_ROOT, 'bin', 'mailer'), ['serve'], {
    env: {
      ...process.env,
      NODE_ENV: 'production',
      SESSION_SECRET: 'benchmark-session-secret-0123456789abcdef',
      DKIM_KEY_SECRET: 'benchmark-dkim-key-secret-0123456789abcdef',
      // The cookies are Secure: the requests say a proxy spoke HTTPS (BEHIND_TLS), so trust that one proxy.
      TRUST_PROXY: '1',
      DATABASE_URL: databaseUrl,
      PORT: '0',
      SCHEDULER: 'off',
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`mailer serve exited with ${code}`)));
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      const match = /open http:\/\/localhost:(\d+)/.exec(line);
      if (match?.[1]) resolve(match[1]);
    });
  });
  const server = { base: `http://127.0.0.1:${port}`, child, stopping: false };
  // A server that dies under the benchmark shows up as refused connections: say why it went.
  child.once('exit', (code, signal) => {
    if (!server.stopping) process.stderr.write(`mailer serve exited unexpectedly (code ${code}, signal ${signal})\n`);
  });
  return server;
}

/** Stops the server and waits for its exit (at once when it has already exited). */
export async function stopServer(server: Server): Promise<void> {
  if (server.child.exitCode !== null || server.child.signalCode !== null) return;
  server.stopping = true;
  const exited = new Promise((resolve) => server.child.once('exit', resolve));
  server.child.kill('SIGTERM');
  await exited;
}

/** The `name=value` pairs of a response's Set-Cookie headers, as a Cookie header. */
export function cookiesOf(res: Response): string {
  return res.headers
    .getSetCookie()
    .map((cookie) => cookie.split(';')[0])
    .join('; ');
}

/** The CSRF token of a page's form. */
export function csrfTokenOf(html: string): string {
  return /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
}

/** Logs a user in through the real form and returns the session cookie. */
export async function signIn(base: string, email: string, password: string): Promise<string> {
  const page = await fetch(`${base}/login`, { headers: BEHIND_TLS });
  const token = csrfTokenOf(await page.text());
  const res = await fetch(`${base}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { ...BEHIND_TLS, 'content-type': 'application/x-www-form-urlencoded', cookie: cookiesOf(page) },
    body: new URLSearchParams({ _csrf: token, email, password }).toString(),
  });
  if (res.status !== 303) throw new Error(`login failed with ${res.status}: ${(await res.text()).slice(0, 2000)}`);
  return cookiesOf(res);
}
