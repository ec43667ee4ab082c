import { expect } from 'chai';
import {
  COMMENT_MAX,
  EMAIL_MAX,
  FULL_NAME_MAX,
  clientForm,
  plainClientInput,
} from '../../../src/clients/client.form.js';
import { parseForm } from '../../../src/forms/parse-form.js';

// A small seeded generator, so a failure can be replayed.
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

// Pieces that sit on each side of the rules: separators, control characters, quotes, brackets, scripts, spaces.
const PIECES = [
  'a',
  'Z',
  '0',
  '.',
  '-',
  '_',
  '+',
  '@',
  '@@',
  'example.test',
  'пример.рф',
  'иван',
  'ü',
  '..',
  ' ',
  '  ',
  '\t',
  '\n',
  '\r\n',
  '\r',
  '\0',
  '\u0007',
  '\u007f',
  '\u0085',
  '\u00a0',
  '\u2028',
  '\u2029',
  '\ufeff',
  '"',
  "'",
  '<',
  '>',
  '\\',
  ',',
  ';',
  '[1.2.3.4]',
  '127.0.0.1',
  'localhost',
  '😀',
  'x'.repeat(64),
  'y'.repeat(70),
  '=1+1',
  '.com',
  '-.',
];

function randomText(next: () => number, maxPieces: number): string {
  const count = Math.floor(next() * maxPieces);
  let text = '';
  for (let i = 0; i < count; i += 1) text += PIECES[Math.floor(next() * PIECES.length)];
  return text;
}

// Mostly plausible addresses, bent in one place now and then.
function randomEmail(next: () => number): string {
  const roll = next();
  if (roll < 0.4) return `${randomText(next, 3) || 'a'}@${randomText(next, 3) || 'b'}.test`;
  if (roll < 0.7) return randomText(next, 8);
  if (roll < 0.8) return ` ${'l'.repeat(Math.floor(next() * 80))}@${'d'.repeat(Math.floor(next() * 200))}.test `;
  return `person${Math.floor(next() * 1000)}@example.test`;
}

function sized(next: () => number, max: number): string {
  const roll = next();
  if (roll < 0.1) return 'n'.repeat(max + Math.floor(next() * 3) - 1);
  if (roll < 0.15) return ` ${'n'.repeat(max)} `;
  return randomText(next, 6);
}

describe('the client form without zod (plainClientInput)', () => {
  it('when many valid and invalid rows are checked both ways, then the verdicts and the cleaned values are the same', () => {
    const next = generator(17);
    let accepted = 0;
    let refused = 0;
    for (let i = 0; i < 30_000; i += 1) {
      const input = {
        email: randomEmail(next),
        fullName: sized(next, FULL_NAME_MAX),
        comment: sized(next, COMMENT_MAX),
      };
      const form = parseForm(clientForm, input);
      const plain = plainClientInput(input.email, input.fullName, input.comment);
      const where = JSON.stringify(input);
      if (form.ok) {
        accepted += 1;
        expect(plain, where).to.deep.equal(form.data);
      } else {
        refused += 1;
        expect(plain, where).to.equal(null);
      }
    }
    // Both sides of the rules were really tried.
    expect(accepted).to.be.above(3000);
    expect(refused).to.be.above(3000);
  });

  it('when a value sits exactly at a limit, then both ways agree', () => {
    const local = 'l'.repeat(64);
    const atMax = `${local}@${'d'.repeat(EMAIL_MAX - local.length - 6)}.test`.slice(0, EMAIL_MAX);
    const cases = [
      { email: atMax, fullName: 'n'.repeat(FULL_NAME_MAX), comment: 'c'.repeat(COMMENT_MAX) },
      { email: `${atMax}x`, fullName: '', comment: '' },
      { email: 'a@b.test', fullName: 'n'.repeat(FULL_NAME_MAX + 1), comment: '' },
      { email: 'a@b.test', fullName: '', comment: `line\n${'c'.repeat(COMMENT_MAX - 5)}` },
      { email: 'a@b.test', fullName: '', comment: 'c'.repeat(COMMENT_MAX + 1) },
      { email: '   ', fullName: '', comment: '' },
      { email: ' A@B.test ', fullName: ' Name ', comment: ' tab\there ' },
      { email: 'a@b.test', fullName: 'tab\there', comment: '' },
    ];
    for (const input of cases) {
      const form = parseForm(clientForm, input);
      const plain = plainClientInput(input.email, input.fullName, input.comment);
      expect(plain, JSON.stringify(input)).to.deep.equal(form.ok ? form.data : null);
    }
  });
});
