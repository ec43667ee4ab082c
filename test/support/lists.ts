// Reading a list page in tests: in which order it shows some of its rows, and its links as the browser reads them.
import { testDatabase } from './hooks.js';

/** The given texts in the order the page shows them (each must be on it). */
export function shownOrder(html: string, texts: readonly string[]): string[] {
  for (const text of texts) if (!html.includes(text)) throw new Error(`not on the page: ${text}`);
  return [...texts].sort((a, b) => html.indexOf(a) - html.indexOf(b));
}

/** Every link target on the page, entities decoded. */
export function linksOn(html: string): string[] {
  return [...html.matchAll(/href="([^"]*)"/g)].map((match) => (match[1] ?? '').replace(/&amp;/g, '&'));
}

/** Sets a row's creation time (tests of the order by date need distinct ones). */
export async function setCreatedAt(table: 'mailings' | 'messages' | 'users', id: number, at: Date): Promise<void> {
  await testDatabase().query(`UPDATE ${table} SET created_at = :at WHERE id = :id`, { replacements: { at, id } });
}
