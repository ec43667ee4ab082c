// The layout's rules, read off the source: no import cycle; only the doors (routes, the app, the CLI, the back
// office) import the web's HTTP helpers; the web never reaches up into features or doors; the back office
// writes through the features' services, never through the models.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SOURCE_DIRS = ['src', 'admin'];

/** Every TypeScript source file, as a path relative to the project root. */
function sourceFiles(): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
      const relative = path.posix.join(dir, entry.name);
      if (entry.isDirectory()) walk(relative);
      else if (/\.tsx?$/.test(entry.name)) found.push(relative);
    }
  };
  for (const dir of SOURCE_DIRS) walk(dir);
  return found.sort();
}

interface Import {
  target: string;
  typeOnly: boolean;
  names: string[];
}

const IMPORT =
  /(?:^|\n)\s*(import|export)\s+(type\s+)?([^'"]*?)\s*from\s+'(\.{1,2}\/[^']+)'|import\(\s*'(\.{1,2}\/[^']+)'\s*\)/g;

/** The project files a source file imports (static, re-exported and dynamic), resolved to root-relative paths. */
function importsOf(file: string, text: string): Import[] {
  const imports: Import[] = [];
  for (const match of text.matchAll(IMPORT)) {
    const specifier = match[4] ?? match[5] ?? '';
    const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier)).replace(/\.js$/, '.ts');
    const names = (match[3] ?? '')
      .replace(/[{}]/g, ',')
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part && !part.startsWith('type ') && !part.startsWith('* '))
      .map((part) => part.split(/\s+as\s+/).pop() ?? part);
    imports.push({ target, typeOnly: Boolean(match[2]) || (match[3] !== undefined && names.length === 0), names });
  }
  return imports;
}

const files = sourceFiles();
const texts = new Map(files.map((file) => [file, readFileSync(path.join(ROOT, file), 'utf8')]));
const graph = new Map(files.map((file) => [file, importsOf(file, texts.get(file) ?? '')]));

/** The doors: modules that speak HTTP or the command line, and may use the web's helpers. */
function isDoor(file: string): boolean {
  return (
    file === 'src/app.ts' ||
    file.startsWith('src/cli/') ||
    file.startsWith('src/web/') ||
    file.startsWith('admin/') ||
    file.endsWith('.routes.ts')
  );
}

const GROUND = /^src\/(db|forms|i18n|metrics)\/|^src\/[^/]+\.ts$/;
const ENGINE = /^src\/(delivery|cache|limits)\//;

/** The floor of a module (docs/ARCHITECTURE.md): ground 0, engine 1, features 2, doors 3, roof 4. */
function floorOf(file: string): number {
  if (file === 'src/app.ts' || file.startsWith('src/cli/') || file.startsWith('admin/')) return 4;
  if (isDoor(file)) return 3;
  if (GROUND.test(file)) return 0;
  if (ENGINE.test(file)) return 1;
  return 2;
}

function violations(rule: (file: string, imported: Import) => boolean): string[] {
  return [...graph].flatMap(([file, imports]) =>
    imports.filter((imported) => rule(file, imported)).map((imported) => `${file} → ${imported.target}`),
  );
}

describe('the layout of the source', () => {
  it('reads every source file and its imports', () => {
    expect(files).to.include.members(['src/app.ts', 'src/permissions.ts', 'admin/admin.ts']);
    expect(graph.get('src/app.ts')?.map((imported) => imported.target)).to.include('admin/admin.ts');
  });

  it('has no import cycle', () => {
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const visit = (file: string, trail: string[]): void => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'open') {
        cycles.push([...trail.slice(trail.indexOf(file)), file].join(' → '));
        return;
      }
      state.set(file, 'open');
      for (const imported of graph.get(file) ?? []) {
        if (graph.has(imported.target)) visit(imported.target, [...trail, file]);
      }
      state.set(file, 'done');
    };
    for (const file of files) visit(file, []);
    expect(cycles).to.deep.equal([]);
  });

  it('resolves every relative import to a file', () => {
    const missing = (target: string) =>
      !existsSync(path.join(ROOT, target)) && !existsSync(path.join(ROOT, target.replace(/\.ts$/, '.js')));
    expect(violations((_file, imported) => missing(imported.target))).to.deep.equal([]);
  });

  it('imports only from its own floor or below (ground, engine, features, doors, roof)', () => {
    expect(violations((file, imported) => floorOf(imported.target) > floorOf(file))).to.deep.equal([]);
  });

  it('lets only the doors use the web (services, rules, models, delivery and cache never do)', () => {
    expect(violations((file, imported) => !isDoor(file) && imported.target.startsWith('src/web/'))).to.deep.equal([]);
  });

  it('keeps the roof on top: nothing below imports the app, the CLI, the back office or a route table', () => {
    const roof = (target: string) =>
      target === 'src/app.ts' ||
      target.startsWith('src/cli/') ||
      target.startsWith('admin/') ||
      target.endsWith('.routes.ts');
    const allowed = (file: string) => file === 'src/app.ts' || file.startsWith('src/cli/') || file.startsWith('admin/');
    expect(violations((file, imported) => roof(imported.target) && !allowed(file))).to.deep.equal([]);
  });

  it('keeps the back office on the services: models are only named as AdminJS resources, never written', () => {
    const misuse: string[] = [];
    for (const [file, imports] of graph) {
      if (!file.startsWith('admin/')) continue;
      const models = imports.filter((imported) => imported.target.startsWith('src/db/models/') && !imported.typeOnly);
      const modelNames = models.flatMap((imported) => imported.names).filter((name) => /^[A-Z][a-z]/.test(name));
      for (const name of modelNames) {
        const uses = [...(texts.get(file) ?? '').matchAll(new RegExp(`(?<![\\w.'])${name}\\b(?!['\\w])`, 'g'))];
        const asResource = [...(texts.get(file) ?? '').matchAll(new RegExp(`resource: ${name}\\b`, 'g'))];
        // One use is the import itself; every other one must be the `resource:` declaration.
        if (!file.endsWith('.resource.ts') || uses.length - 1 !== asResource.length) misuse.push(`${file}: ${name}`);
      }
    }
    expect(misuse).to.deep.equal([]);
  });
});
