import type { Db } from '../store/index.js';
import { AccessExpander, type Identity, type Link } from './access-expansion.js';
import type { CsvFile } from './csv-file.js';
import { EntityLookup } from './entity-lookup.js';
import { GroupGraph, type GroupGraphOptions } from './group-graph.js';

export interface FlatWritten {
  rows: number;
  /** Identities with at least one row, by type. */
  identities: Record<Identity['type'], number>;
  /** Access left out because the entity held has no live row, by access_kind. */
  leftOut: Record<string, number>;
  /**
   * Live groups, the group closures computed (a memo miss each), and those whose `paths` are lower
   * bounds (cyclic nesting too dense to walk every chain: 0 in any real tenant).
   */
  groups: { groups: number; closuresComputed: number; pathsLowerBound: number };
}

export interface FlatOptions extends GroupGraphOptions {
  /** Identities read per page (keyset pagination by id). */
  pageSize?: number;
}

const IDENTITY_SQL: Record<Identity['type'], string> = {
  user: `SELECT id, display_name AS name, data ->> '$.userPrincipalName' AS login, data ->> '$.accountEnabled' AS enabled,
                data ->> '$.userType' AS user_type, data ->> '$.signInActivity.lastSuccessfulSignInDateTime' AS last_sign_in
         FROM entities WHERE entity_type = 'user' AND deleted_at IS NULL AND id > ? ORDER BY id LIMIT ?`,
  servicePrincipal: `SELECT id, display_name AS name, data ->> '$.appId' AS login, data ->> '$.accountEnabled' AS enabled,
                            NULL AS user_type, NULL AS last_sign_in
                     FROM entities WHERE entity_type = 'servicePrincipal' AND deleted_at IS NULL AND id > ? ORDER BY id LIMIT ?`,
};

interface IdentityRow {
  id: string;
  name: string | null;
  login: unknown;
  enabled: unknown;
  user_type: unknown;
  last_sign_in: unknown;
}

const text = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** JSON true/false come out of SQLite's ->> as 1/0. */
const flag = (v: unknown): string => (v === 1 || v === true ? 'true' : v === 0 || v === false ? 'false' : '');

/**
 * access.csv: users then service principals, each in id order, each identity's rows in
 * (access_kind, access_id, scope) order. Identities are read a page at a time and each one's links
 * with one indexed query, so memory holds the group graph, the memo of closures and one identity's
 * rows, never all paths of all users.
 */
export function writeFlatAccess(db: Db, file: CsvFile, runStarts: ReadonlyMap<number, string>, options: FlatOptions = {}): FlatWritten {
  const graph = new GroupGraph(db, options);
  const expander = new AccessExpander(graph, loadGroupGrants(db, graph), new EntityLookup(db), runStarts);
  const linksOf = db.prepare(
    `SELECT relation, target_type, target_id, scope, data, first_seen_run FROM effective_relations
     WHERE relation IN ('memberOf', 'hasRole', 'hasAppRole', 'licensedWith', 'ownerOf', 'delegatedGrant')
       AND source_type = ? AND source_id = ?`,
  );
  const pageSize = options.pageSize ?? 1000;
  const out: FlatWritten = { rows: 0, identities: { user: 0, servicePrincipal: 0 }, leftOut: {}, groups: { groups: graph.ids.length, closuresComputed: 0, pathsLowerBound: 0 } };
  for (const type of ['user', 'servicePrincipal'] as const) {
    const page = db.prepare(IDENTITY_SQL[type]);
    for (let after = ''; ;) {
      const rows = page.all(after, pageSize) as IdentityRow[];
      if (rows.length === 0) break;
      for (const r of rows) {
        const identity: Identity = {
          type, id: r.id, name: r.name, login: text(r.login), enabled: flag(r.enabled), userType: text(r.user_type), lastSignIn: text(r.last_sign_in),
        };
        const x = expander.expand(identity, linksOf.all(type, r.id) as Link[]);
        for (const row of x.rows) file.write(row);
        out.rows += x.rows.length;
        if (x.rows.length > 0) out.identities[type]++;
        for (const [k, n] of Object.entries(x.leftOut)) out.leftOut[k] = (out.leftOut[k] ?? 0) + n;
      }
      after = rows.at(-1)!.id;
    }
  }
  out.groups.closuresComputed = graph.computed;
  out.groups.pathsLowerBound = graph.truncated;
  return out;
}

/** The roles and app roles held by groups (their direct members hold them too), by group. */
function loadGroupGrants(db: Db, graph: GroupGraph): Map<number, Link[]> {
  const byGroup = new Map<number, Link[]>();
  const sql = `SELECT source_id, relation, target_type, target_id, scope, data, first_seen_run FROM effective_relations
               WHERE relation IN ('memberOf', 'hasRole', 'hasAppRole') AND source_type = 'group'
                 AND target_type IN ('directoryRole', 'roleDefinition', 'appRole')`;
  for (const row of db.prepare(sql).iterate() as Iterable<Link & { source_id: string }>) {
    const g = graph.indexOf(row.source_id);
    if (g === undefined) continue;
    const { source_id: _s, ...link } = row;
    let list = byGroup.get(g);
    if (!list) byGroup.set(g, (list = []));
    list.push(link);
  }
  return byGroup;
}
