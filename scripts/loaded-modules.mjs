// Records every module the mailer command line loads, for checking what a command pulls in (the test of the send
// command's module graph, docs/PERFORMANCE.md): `NODE_OPTIONS=--import=<this file> LOADED_MODULES_FILE=<file>
// bin/mailer send ...`. At exit the file holds one path a line: each ES module as it loads (a loader hook), then
// each CommonJS module in require's cache. Only the command line's own process records (not a build it starts).
import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { isMainThread } from 'node:worker_threads';

const file = process.env.LOADED_MODULES_FILE;

/** The loader hook's end: the file to append to, given by the main thread. */
let hookFile = '';

/** Runs in the hooks thread, once (module.register's data). */
export function initialize(data) {
  hookFile = data.file;
}

/** Runs in the hooks thread for each ES module (and each CommonJS one imported by an ES module). */
export async function load(url, context, nextLoad) {
  if (url.startsWith('file:')) appendFileSync(hookFile, `${fileURLToPath(url)}\n`);
  return nextLoad(url, context);
}

if (isMainThread && file && /build[/\\]src[/\\]cli[/\\]main\.js$/.test(process.argv[1] ?? '')) {
  register(import.meta.url, { data: { file } });
  process.on('exit', () => {
    const cache = createRequire(import.meta.url).cache;
    appendFileSync(
      file,
      Object.keys(cache)
        .map((path) => `${path}\n`)
        .join(''),
    );
  });
}
