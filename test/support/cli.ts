// Runs the real `bin/mailer` in a child process, as a person or a script would.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import { PROJECT_ROOT } from '../../src/config.js';
import { scratchFolder } from './scratch.js';

export const MAILER_BIN = path.join(PROJECT_ROOT, 'bin', 'mailer');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Where a child writes e-mails and uploads unless the test says: scratch folders, never var/ under the project. */
let childFolders: { OUTBOX_DIR: string; UPLOAD_DIR: string } | undefined;

function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  childFolders ??= { OUTBOX_DIR: scratchFolder('cli-outbox'), UPLOAD_DIR: scratchFolder('cli-uploads') };
  return { ...process.env, LOG_LEVEL: 'silent', NODE_ENV: 'development', ...childFolders, ...env };
}

/** Runs one command to completion (killed after timeoutMs) and returns its exit code and output. */
export function runCli(args: string[], env: Record<string, string> = {}, timeoutMs = 30_000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(MAILER_BIN, args, { env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Starts a long-running command and resolves once its stdout matches `ready`. */
export function startCli(
  args: string[],
  env: Record<string, string>,
  ready: RegExp,
  timeoutMs = 30_000,
): Promise<{ child: ChildProcessWithoutNullStreams; match: RegExpMatchArray; output: () => string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(MAILER_BIN, args, { env: childEnv(env) });
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`not ready within ${timeoutMs} ms; output:\n${output}`));
    }, timeoutMs);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = output.match(ready);
      if (match) {
        clearTimeout(timer);
        resolve({ child, match, output: () => output });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('close', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before it was ready; output:\n${output}`));
    });
  });
}

/** Resolves with the exit code once the child has exited. */
export function exitCodeOf(child: ChildProcessWithoutNullStreams): Promise<number | null> {
  return child.exitCode !== null
    ? Promise.resolve(child.exitCode)
    : new Promise((resolve) => child.once('exit', resolve));
}
