// One page of a long list, found in two steps: first the page's ids alone (ordered, offset and limited), then those
// rows. The first step reads only an index that holds the filter, the order and the id (an index-only scan on
// both databases), so page 4,000 skips index entries instead of whole rows, and the page's URL stays `?page=N`.
import { Op, type Model, type ModelStatic, type OrderItem, type WhereOptions } from 'sequelize';

export interface PageQuery<M extends Model> {
  where: WhereOptions<M>;
  order: OrderItem[];
  offset: number;
  limit: number;
}

/** The rows of one page in the query's order, read through their ids (see above). */
export async function findPage<M extends Model>(model: ModelStatic<M>, query: PageQuery<M>): Promise<M[]> {
  const idRows = (await model.findAll({
    attributes: ['id'],
    where: query.where,
    order: query.order,
    offset: query.offset,
    limit: query.limit,
    raw: true,
  })) as unknown as { id: number }[];
  if (idRows.length === 0) return [];
  const ids = idRows.map((row) => row.id);
  // The ids' order is the page's, but IN reads them in any order: the same ORDER BY puts them back.
  return model.findAll({ where: { id: { [Op.in]: ids } } as WhereOptions<M>, order: query.order });
}
