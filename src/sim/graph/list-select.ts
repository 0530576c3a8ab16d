import { GROUP_DEFAULT, USER_DEFAULT, parseSelect, type Collection } from './properties.js';

/**
 * $select of the plain listings of users, groups and directoryObject members, over the same v1.0
 * catalogs the users and groups delta use (properties.ts).
 */

export type ListSelect<T> = { ok: true; value: T } | { ok: false; status: number; code: string; message: string };

/**
 * "Certain properties cannot be returned within a user collection. The following properties are only
 * supported when retrieving a single user: aboutMe, birthday, hireDate, interests, mySite,
 * pastProjects, preferredName, responsibilities, schools, skills, mailboxSettings" and "Attempting to use
 * $select on the /users collection to retrieve properties that cannot be returned within a user collection
 * ... returns a 501 Not Implemented error code" (https://learn.microsoft.com/graph/api/user-list; graph-facts 1.4).
 */
const SINGLE_USER_ONLY = new Set(['aboutme', 'birthday', 'hiredate', 'interests', 'mysite', 'pastprojects', 'preferredname', 'responsibilities',
  'schools', 'skills', 'mailboxsettings']);

const NAVIGATION: Record<Collection, string[]> = { users: ['manager'], groups: ['members', 'owners'] };

const badRequest = (message: string): ListSelect<never> => ({ ok: false, status: 400, code: 'Request_BadRequest', message });

/**
 * The properties (besides id) a GET /users or /groups returns: the $select, or without one the default
 * set (user-list: businessPhones, displayName, ... userPrincipalName; for groups the ones the
 * simulation models). A navigation property is not a property of a plain list: `manager` comes with
 * `$expand=manager`, and `members`/`owners` from /groups/{id}/members|owners (400 here).
 */
export function parseCollectionSelect(kind: Collection, raw: string | null): ListSelect<string[]> {
  if (raw === null) return { ok: true, value: kind === 'users' ? USER_DEFAULT : GROUP_DEFAULT };
  for (const part of raw.split(',')) {
    const name = part.trim().toLowerCase();
    if (kind === 'users' && SINGLE_USER_ONLY.has(name)) {
      return { ok: false, status: 501, code: 'NotImplemented', message: 'This operation target is not yet supported.' };
    }
    if (NAVIGATION[kind].includes(name)) {
      return badRequest(`'${part.trim()}' is a navigation property; a list of ${kind} cannot $select it${kind === 'users' ? ' (use $expand=manager)' : ''}.`);
    }
  }
  const s = parseSelect(kind, raw);
  if (!s.ok) return badRequest(s.message);
  return { ok: true, value: s.selection.props };
}

/** Per member type, the properties to render; null = the type's default set. */
export interface MemberSelect {
  user: string[] | null;
  group: string[] | null;
  /** Of the other types (servicePrincipal, device, ...): the directoryObject names the simulation serves for them. */
  other: string[] | null;
}

const GENERIC = ['deletedDateTime', 'displayName'];

/**
 * $select of a directoryObject collection (members, owners): a name of any derived type is accepted
 * and applies to the members of a type that has it (https://learn.microsoft.com/graph/api/group-list-members,
 * "$select ... on the derived types"); `id` is always returned, with `@odata.type`.
 */
export function parseMemberSelect(raw: string | null): ListSelect<MemberSelect> {
  if (raw === null) return { ok: true, value: { user: null, group: null, other: null } };
  const out: MemberSelect = { user: [], group: [], other: [] };
  for (const part of raw.split(',')) {
    const name = part.trim();
    if (name === '' || name.toLowerCase() === 'id') continue;
    const u = known('users', name);
    const g = known('groups', name);
    if (!u && !g) return badRequest(`Could not find a property named '${name}' on type 'microsoft.graph.directoryObject'.`);
    if (u && !out.user!.includes(u)) out.user!.push(u);
    if (g && !out.group!.includes(g)) out.group!.push(g);
    const generic = GENERIC.find((x) => x.toLowerCase() === name.toLowerCase());
    if (generic && !out.other!.includes(generic)) out.other!.push(generic);
  }
  return { ok: true, value: out };
}

/** The catalog's spelling of a scalar property of users or groups, or undefined. */
function known(kind: Collection, name: string): string | undefined {
  if (NAVIGATION[kind].includes(name.toLowerCase()) || name.toLowerCase() === 'signinactivity') return undefined;
  const s = parseSelect(kind, name);
  return s.ok ? s.selection.props[0] : undefined;
}

/**
 * `$expand=manager` or `$expand=manager($select=...)` on GET /users
 * (https://learn.microsoft.com/graph/api/user-list-manager, "expand the manager"): the manager's
 * properties to render besides `@odata.type` and id (its default set without a nested $select).
 */
export function parseManagerExpand(raw: string): ListSelect<string[]> {
  const m = /^\s*manager\s*(?:\((.*)\))?\s*$/i.exec(raw);
  if (!m) return badRequest(`Could not find a navigation property named '${raw.trim()}' on type 'microsoft.graph.user' that can be expanded (only manager).`);
  const inner = m[1]?.trim() ?? '';
  if (inner === '') return { ok: true, value: USER_DEFAULT };
  const sel = /^\$select=(.*)$/i.exec(inner);
  if (!sel) return badRequest(`Only $select is supported inside $expand=manager(...): '${inner}'.`);
  return parseCollectionSelect('users', sel[1]!);
}
