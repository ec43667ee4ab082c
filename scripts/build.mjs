// Compiles the TypeScript sources to plain JavaScript under build/, file by file (esbuild, about a second), so
// `bin/mailer` runs without a TypeScript loader: less memory (tsx keeps a loader thread), no per-file compiling.
// The new build is written beside the old one and swapped in at the end, so a half-written build never runs.
import { randomBytes } from 'node:crypto';
import { readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** The folders that hold code the command line runs (admin/components are bundled by AdminJS itself). */
const SOURCE_DIRS = ['src', 'admin', 'migrations', 'seeders'];
/**
 * The benchmark phases and what they import, measured as the command line runs (their drivers run under tsx,
 * beside the tests).
 */
const BENCH_PHASES = ['bench/send-baseline.ts', 'bench/send-pipeline.ts', 'bench/smtp-sink.ts', 'bench/cpu-clock.ts'];

function typeScriptFiles(dir) {
  return readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const relative = path.join(dir, entry.name);
    if (entry.isDirectory()) return relative === path.join('admin', 'components') ? [] : typeScriptFiles(relative);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [relative] : [];
  });
}

const suffix = `${process.pid}-${randomBytes(3).toString('hex')}`;
const fresh = path.join(root, `build-new-${suffix}`);
const old = path.join(root, `build-old-${suffix}`);
try {
  await build({
    absWorkingDir: root,
    entryPoints: [...SOURCE_DIRS.flatMap(typeScriptFiles), ...BENCH_PHASES],
    outdir: fresh,
    outbase: '.',
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: 'linked', // used outside production (bin/mailer), where a trace should name the .ts line
    logLevel: 'warning',
  });
  writeFileSync(path.join(fresh, '.built'), `${new Date().toISOString()}\n`);
  const current = path.join(root, 'build');
  try {
    renameSync(current, old);
  } catch (error) {
    if (error.code !== 'ENOENT') throw error;
  }
  renameSync(fresh, current);
} catch (error) {
  // Another build finished first (it swapped its own in): that one is as good as this one.
  if (error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST') {
    process.stderr.write(`build failed: ${error.message}\n`);
    process.exitCode = 1;
  }
} finally {
  rmSync(fresh, { recursive: true, force: true });
  rmSync(old, { recursive: true, force: true });
}
