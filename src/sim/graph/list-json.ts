import type { Props } from '../tenant/tenant-types.js';
import type { MemberSelect } from './list-select.js';
import { GROUP_DEFAULT, USER_DEFAULT } from './properties.js';

/** JSON of the items of the plain listings, built as strings like the delta pages (render.ts). */

const q = JSON.stringify;

/**
 * An object of a plain list, left open: `head` (e.g. its @odata.type), its id and every selected
 * property, `null` when it has no value. Unlike a delta page (which omits a property never set),
 * a list returns each selected property, null included (https://learn.microsoft.com/graph/api/user-list,
 * example 1: "jobTitle": null); a cleared property is stored as null and so is null too.
 */
export function listedObjectStart(head: string, id: string, props: Props, names: readonly string[]): string {
  let s = `{${head}"id":${q(id)}`;
  for (const n of names) s += `,${q(n)}:${q(props[n] ?? null)}`;
  return s;
}

/** What rendering a member needs to know about an id (the tenant's or the directory's view). */
export interface MemberLookup {
  typeOf(id: string): string | undefined;
  /** Properties of a user or group. */
  props(id: string): Props | undefined;
  displayName(id: string): string | null;
}

const OTHER_DEFAULT = ['deletedDateTime', 'displayName'];

/**
 * A member or owner as a directoryObject: `@odata.type` (the derived type), id, then the selected
 * properties its type has (https://learn.microsoft.com/graph/api/group-list-members).
 */
export function memberJson(l: MemberLookup, id: string, sel: MemberSelect): string {
  const type = l.typeOf(id) ?? 'directoryObject';
  const head = `"@odata.type":"#microsoft.graph.${type}",`;
  if (type === 'user') return `${listedObjectStart(head, id, l.props(id) ?? {}, sel.user ?? USER_DEFAULT)}}`;
  if (type === 'group') return `${listedObjectStart(head, id, l.props(id) ?? {}, sel.group ?? GROUP_DEFAULT)}}`;
  return `${listedObjectStart(head, id, { deletedDateTime: null, displayName: l.displayName(id) }, sel.other ?? OTHER_DEFAULT)}}`;
}

/** `"manager":{...}` of an expanded manager: its @odata.type, id and the properties asked for. */
export function managerJson(id: string, props: Props, names: readonly string[]): string {
  return `,"manager":${listedObjectStart('"@odata.type":"#microsoft.graph.user",', id, props, names)}}`;
}
