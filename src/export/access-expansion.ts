import { delegatedScopes } from './delegated-scopes.js';
import type { EntityLookup } from './entity-lookup.js';
import { PATHS_CAP } from './group-closure.js';
import type { GroupGraph } from './group-graph.js';

export const ACCESS_FILE = 'access.csv';

/** CONTRACT.md section 5, then `permissions` (documented in schemas/export.md). */
export const ACCESS_HEADER = [
  'identity_type', 'identity_id', 'identity_name', 'login', 'enabled', 'user_type', 'last_sign_in',
  'access_kind', 'access_type', 'access_id', 'access_name', 'resource_id', 'resource_name', 'scope',
  'path', 'path_ids', 'first_seen', 'paths', 'permissions',
] as const;

export type AccessKind = 'group' | 'directoryRole' | 'roleAssignment' | 'administrativeUnit' | 'appRole' | 'license' | 'owner' | 'delegatedGrant';

export interface Identity {
  type: 'user' | 'servicePrincipal';
  id: string;
  name: string | null;
  /** UPN for a user, appId for a service principal. */
  login: string | null;
  /** 'true', 'false' or '' when unknown. */
  enabled: string;
  userType: string | null;
  lastSignIn: string | null;
}

/** An effective link from the identity (or from a group it is in): relation, target, scope, data, first seen. */
export interface Link {
  relation: string;
  target_type: string;
  target_id: string;
  scope: string;
  data: string | null;
  first_seen_run: number | null;
}

/** The access kind of a link, or undefined for links that are no access (reportsTo, appRoleOf). */
export function kindOf(link: Pick<Link, 'relation' | 'target_type'>): AccessKind | undefined {
  switch (link.relation) {
    case 'memberOf':
      return link.target_type === 'group' ? 'group'
        : link.target_type === 'directoryRole' ? 'directoryRole'
          : link.target_type === 'administrativeUnit' ? 'administrativeUnit' : undefined;
    case 'hasRole': return 'roleAssignment';
    case 'hasAppRole': return 'appRole';
    case 'licensedWith': return 'license';
    case 'ownerOf': return 'owner';
    case 'delegatedGrant': return 'delegatedGrant';
    default: return undefined;
  }
}

/**
 * Kinds a group passes on to its direct members only: an app role or a directory role assigned to
 * a group ("All direct members of the group will be considered assigned",
 * https://learn.microsoft.com/graph/api/group-post-approleassignments;
 * https://learn.microsoft.com/entra/identity/role-based-access-control/groups-concept).
 * Membership of an administrative unit is not passed on at all: a group in a unit brings the group
 * object, not its members, into the unit's scope
 * (https://learn.microsoft.com/entra/identity/role-based-access-control/administrative-units).
 */
export const PASSED_TO_DIRECT_MEMBERS: ReadonlySet<AccessKind> = new Set(['directoryRole', 'roleAssignment', 'appRole']);

interface Held {
  kind: AccessKind;
  type: string;
  id: string;
  scope: string;
  data: string | null;
  /** Groups on the shortest chain (0: held directly). */
  len: number;
  /** The identity's direct group the chain starts with; -1 when held directly. */
  via: number;
  /** For a nested group: its position in the closure of `via`; -1 otherwise. */
  pos: number;
  run: number;
  paths: number;
}

export interface Expansion {
  rows: string[][];
  /** Access left out because the entity held has no live row (its collection not pulled), by kind. */
  leftOut: Record<string, number>;
}

const keyOf = (kind: string, type: string, id: string, scope: string) => `${kind}\u0000${type}\u0000${id}\u0000${scope}`;
const byKey = (a: { key: string }, b: { key: string }) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

/**
 * One identity's access rows (CONTRACT.md section 5): its own links, the groups it is in through
 * nesting (each group's closure from the graph's memo), and the roles and app roles of its direct
 * groups. Only this identity's rows are in memory at a time.
 */
export class AccessExpander {
  constructor(
    private readonly graph: GroupGraph,
    private readonly groupGrants: ReadonlyMap<number, readonly Link[]>,
    private readonly lookup: EntityLookup,
    private readonly runStarts: ReadonlyMap<number, string>,
  ) {}

  expand(identity: Identity, links: readonly Link[]): Expansion {
    const held = new Map<string, Held>();
    const leftOut: Record<string, number> = {};
    const skip = (kind: string) => (leftOut[kind] = (leftOut[kind] ?? 0) + 1);
    const add = (kind: AccessKind, link: Link, len: number, via: number, pos: number, run: number, paths: number) => {
      const key = keyOf(kind, link.target_type, link.target_id, link.scope);
      const e = held.get(key);
      if (!e) {
        held.set(key, { kind, type: link.target_type, id: link.target_id, scope: link.scope, data: link.data, len, via, pos, run, paths });
        return;
      }
      e.paths = Math.min(PATHS_CAP, e.paths + paths);
      // Candidates come direct first, then by direct group in id order: a tie keeps the first.
      if (len < e.len) Object.assign(e, { len, via, pos, run, data: link.data });
    };

    const direct: { group: number; run: number }[] = [];
    for (const link of links) {
      const kind = kindOf(link);
      if (!kind) continue;
      if (kind === 'group') {
        const g = this.graph.indexOf(link.target_id);
        if (g === undefined) {
          skip(kind);
          continue;
        }
        direct.push({ group: g, run: link.first_seen_run ?? 0 });
      }
      add(kind, link, 0, -1, -1, link.first_seen_run ?? 0, 1);
    }
    direct.sort((a, b) => a.group - b.group);
    for (const d of direct) {
      const c = this.graph.closure(d.group);
      for (let k = 0; k < c.nodes.length; k++) {
        const a = c.nodes[k]!;
        const link: Link = { relation: 'memberOf', target_type: 'group', target_id: this.graph.ids[a]!, scope: '', data: null, first_seen_run: null };
        add('group', link, 1 + c.between[k]!, d.group, k, Math.max(d.run, c.run[k]!), c.paths[k]!);
      }
      for (const grant of this.groupGrants.get(d.group) ?? []) {
        const kind = kindOf(grant);
        if (kind && PASSED_TO_DIRECT_MEMBERS.has(kind)) add(kind, grant, 1, d.group, -1, Math.max(d.run, grant.first_seen_run ?? 0), 1);
      }
    }

    const rows: { key: string; row: string[] }[] = [];
    for (const e of held.values()) {
      const row = this.row(identity, e);
      if (row) rows.push({ key: keyOf(e.kind, e.id, e.scope, e.type), row });
      else skip(e.kind);
    }
    rows.sort(byKey);
    return { rows: rows.map((r) => r.row), leftOut };
  }

  private row(identity: Identity, e: Held): string[] | undefined {
    let accessName: string;
    let resourceId = '';
    let resourceName = '';
    let permissions = '';
    if (e.kind === 'group') {
      const g = this.graph.indexOf(e.id);
      if (g === undefined) return undefined;
      accessName = this.graph.nameOf(g);
    } else {
      const facts = this.lookup.find(e.type, e.id);
      if (!facts) return undefined;
      accessName = facts.name ?? e.id;
      if (e.kind === 'appRole') {
        resourceId = e.id.slice(0, Math.max(0, e.id.indexOf('/')));
        resourceName = this.lookup.find('servicePrincipal', resourceId)?.name ?? '';
        permissions = facts.value ?? '';
      } else if (e.kind === 'owner' || e.kind === 'delegatedGrant') {
        resourceId = e.id;
        resourceName = accessName;
        if (e.kind === 'delegatedGrant') permissions = delegatedScopes(e.data).all.join(' ');
      }
    }
    const chain = e.via === -1 ? [] : [e.via, ...(e.pos === -1 ? [] : this.graph.chainBetween(this.graph.closure(e.via), e.pos))];
    return [
      identity.type, identity.id, identity.name ?? '', identity.login ?? '', identity.enabled, identity.userType ?? '', identity.lastSignIn ?? '',
      e.kind, e.type, e.id, accessName, resourceId, resourceName, e.scope,
      chain.length === 0 ? 'direct' : `via ${chain.map((g) => this.graph.nameOf(g)).join(' > ')}`,
      chain.length === 0 ? 'direct' : chain.map((g) => this.graph.ids[g]).join('>'),
      this.runStarts.get(e.run) ?? '',
      String(e.paths),
      permissions,
    ];
  }
}
