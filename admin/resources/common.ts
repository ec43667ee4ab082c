// What every resource shares: its actions gated by the permission map, writes routed through our handlers.
import type { ActionContext, ResourceOptions } from 'adminjs';
import type { Sequelize } from 'sequelize';
import type { Config } from '../../src/config.js';
import { mayUse, type ResourceId } from '../access.js';
import { bulkDeleteHandler, deleteHandler, editHandler, newHandler, roleOf, type RecordWriter } from '../handlers.js';

export interface ResourceDeps {
  config: Config;
  sequelize: Sequelize;
}

const OFF = { isAccessible: false, isVisible: false } as const;

/** The built-in actions of a resource, each open only to roles the map allows; writes without a writer are off. */
export function gatedActions(
  resourceId: ResourceId,
  writer: RecordWriter,
  layouts: { new?: string[]; edit?: string[] } = {},
): NonNullable<ResourceOptions['actions']> {
  const gate = (action: string) => {
    const allowed = (context: ActionContext) => mayUse(roleOf(context), resourceId, action);
    return { isAccessible: allowed, isVisible: allowed };
  };
  return {
    list: gate('list'),
    show: gate('show'),
    search: gate('search'),
    new: writer.create ? { ...gate('new'), handler: newHandler(writer.create), layout: layouts.new } : OFF,
    edit: writer.update ? { ...gate('edit'), handler: editHandler(writer.update), layout: layouts.edit } : OFF,
    delete: writer.remove ? { ...gate('delete'), handler: deleteHandler(writer.remove) } : OFF,
    bulkDelete: writer.remove ? { ...gate('bulkDelete'), handler: bulkDeleteHandler(writer.remove) } : OFF,
  };
}

/** The value list for a select. */
export function choices(values: readonly string[]): { value: string; label: string }[] {
  return values.map((value) => ({ value, label: value }));
}
