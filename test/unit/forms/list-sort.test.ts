import { expect } from 'chai';
import { literal } from 'sequelize';
import { listSortForm, orderOf, readListSort } from '../../../src/forms/list-sort.js';
import { listHref } from '../../../src/web/list-links.js';

const form = listSortForm(['name', 'created'] as const, { sort: 'created', dir: 'desc' });

describe('a list’s sort', () => {
  it('when the query names a known key and direction, then the list is sorted so; no direction is ascending', () => {
    expect(readListSort(form, { sort: 'name', dir: 'desc' })).to.deep.equal({ sort: 'name', dir: 'desc' });
    expect(readListSort(form, { sort: 'name' })).to.deep.equal({ sort: 'name', dir: 'asc' });
  });

  it('when a value is unknown, repeated, an object or missing, then the list keeps its default order', () => {
    const queries = [{}, { sort: 'id' }, { sort: 'name', dir: 'up' }, { sort: ['name', 'created'] }, { dir: 'asc' }];
    for (const query of [...queries, { sort: { toString: 'name' } }, { sort: 'NAME' }, { sort: '__proto__' }]) {
      expect(readListSort(form, query), JSON.stringify(query)).to.deep.equal({ sort: 'created', dir: 'desc' });
    }
  });

  it('when a sort becomes an order, then its columns go in its direction and the id breaks ties the same way', () => {
    const rank = literal('1');
    const columns = { name: ['searchText', 'name'], created: [rank] };
    expect(orderOf({ sort: 'name', dir: 'asc' }, columns)).to.deep.equal([
      ['searchText', 'ASC'],
      ['name', 'ASC'],
      ['id', 'ASC'],
    ]);
    expect(orderOf({ sort: 'created', dir: 'desc' }, columns)).to.deep.equal([
      [rank, 'DESC'],
      ['id', 'DESC'],
    ]);
  });

  it('when a list builds its links, then they keep its parameters, change only theirs and leave empty ones out', () => {
    const href = listHref('/mailings', { q: 'рассылка & co', owner: null, sort: 'name', dir: 'asc', page: 3 });
    expect(href({ page: 4 })).to.equal(
      '/mailings?q=%D1%80%D0%B0%D1%81%D1%81%D1%8B%D0%BB%D0%BA%D0%B0+%26+co&sort=name&dir=asc&page=4',
    );
    expect(href({ sort: 'created', dir: 'desc', page: null })).to.match(/&sort=created&dir=desc$/);
    expect(listHref('/users', { q: '', role: undefined })()).to.equal('/users');
  });
});
