import { expect } from 'chai';
import { foldForSearch, searchTextOf } from '../../../src/db/search-text.js';

describe('search text folding', () => {
  it('when text is in any script or case, then it is lower-cased the Unicode way', () => {
    expect(foldForSearch('Вера КУЗНЕЦОВА')).to.equal('вера кузнецова');
    expect(foldForSearch('ΣΟΦΊΑ')).to.equal('σοφία');
    expect(foldForSearch('ÄRZTE École')).to.equal('ärzte école');
    expect(foldForSearch('ՀԱՅԵՐԵՆ')).to.equal('հայերեն');
  });

  it('when a sigma ends a word, then it folds like any sigma, so a stem typed with σ matches', () => {
    expect(foldForSearch('ΟΔΥΣΣΕΥΣ')).to.equal('οδυσσευσ');
    expect(foldForSearch('οδυσσευς')).to.equal('οδυσσευσ');
  });

  it('when text is decomposed or full-width, then it folds to the same letters; ё and е stay apart', () => {
    expect(foldForSearch('E\u0301cole')).to.equal(foldForSearch('École'));
    expect(foldForSearch('ＡＢＣ')).to.equal('abc');
    expect(foldForSearch('Ёлка')).to.equal('ёлка').and.not.to.equal(foldForSearch('Елка'));
  });

  it('when a record has several fields, then they are folded one a line, a missing one as empty', () => {
    expect(searchTextOf(['A@B.example', 'Вера', null])).to.equal('a@b.example\nвера\n');
  });
});
