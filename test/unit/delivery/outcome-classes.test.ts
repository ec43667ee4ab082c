import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../../../src/config.js';
import { DELIVERY_ERROR_CLASSES, RUN_HALT_KINDS } from '../../../src/delivery/outcome-classes.js';
import { keysOf } from '../../../src/i18n/i18n.js';

/** Every TypeScript source under src/, as text. */
function sources(): string[] {
  const root = path.join(PROJECT_ROOT, 'src');
  return readdirSync(root, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => readFileSync(path.join(root, file), 'utf8'));
}

/** The class names the sources write as literals: `errorClass: 'x'` and SQL's `THEN 'x' ELSE error_class`. */
function writtenClasses(): Set<string> {
  const written = new Set<string>();
  for (const text of sources()) {
    for (const match of text.matchAll(/errorClass: '([a-z0-9_]+)'|'([a-z0-9_]+)' ELSE error_class/g))
      written.add(match[1] ?? match[2] ?? '');
  }
  return written;
}

describe('words for error classes and halt kinds', () => {
  for (const language of ['en', 'ru'] as const) {
    it(`when the engine writes an error class or a halt kind, then ${language} has words for it`, () => {
      const keys = new Set(keysOf(language));
      for (const errorClass of DELIVERY_ERROR_CLASSES)
        expect(keys.has(`reports.errorClasses.${errorClass}`), `${language}: ${errorClass}`).to.equal(true);
      for (const kind of RUN_HALT_KINDS)
        expect(keys.has(`reports.haltKinds.${kind}`), `${language}: ${kind}`).to.equal(true);
    });
  }

  it('when a source writes an error class by name, then the class is in the one list', () => {
    const written = writtenClasses();
    expect([...written]).to.include.members(['smtp_5xx', 'smtp_4xx', 'interrupted', 'unsubscribed', 'client_deleted']);
    expect([...written].filter((name) => !(DELIVERY_ERROR_CLASSES as readonly string[]).includes(name))).to.deep.equal(
      [],
    );
  });

  it('when a class has words, then it is one the engine writes (no words left over)', () => {
    const listed = new Set<string>(DELIVERY_ERROR_CLASSES);
    const worded = keysOf('en').filter((key) => key.startsWith('reports.errorClasses.'));
    expect(worded.map((key) => key.slice('reports.errorClasses.'.length)).filter((c) => !listed.has(c))).to.deep.equal(
      [],
    );
  });
});
