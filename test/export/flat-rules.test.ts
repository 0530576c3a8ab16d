import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { runExport } from '../../src/export/index.js';
import { GroupGraph } from '../../src/export/group-graph.js';
import { PATHS_CAP } from '../../src/export/group-closure.js';
import { buildFixtureDb } from './fixture-tenant.js';
import { readCsv } from './support.js';

let rows: Record<string, string>[];
beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ee-flat-'));
  const db = join(dir, 'fixture.db');
  buildFixtureDb(db);
  await runExport({ dbPath: db, out: join(dir, 'out'), format: 'flat' });
  rows = readCsv(join(dir, 'out', 'access.csv'));
});

const held = (identity: string, kind?: string) => rows.filter((r) => r.identity_id === identity && (!kind || r.access_kind === kind));
const one = (identity: string, kind: string, id: string) => {
  const found = held(identity, kind).filter((r) => r.access_id === id);
  expect(found, `${identity} ${kind} ${id}`).toHaveLength(1);
  return found[0]!;
};

describe('flat access: Entra inheritance through groups', () => {
  it('nested groups count for every transitive member, nearest group first in path and path_ids', () => {
    expect(held('u-dave', 'group').map((r) => r.access_id)).toEqual(['g-a', 'g-b', 'g-c', 'g-d', 'g-e']);
    const c = one('u-dave', 'group', 'g-c');
    expect([c.path, c.path_ids, c.paths]).toEqual(['via Group B > Group A', 'g-b>g-a', '1']);
    expect(one('u-dave', 'group', 'g-b').path).toBe('direct');
  });

  it('a cycle in the nesting (A in C, C in B, B in A) neither hangs nor duplicates: each group once, the cycle cut', () => {
    const alice = held('u-alice', 'group');
    expect(alice.map((r) => r.access_id)).toEqual(['g-a', 'g-b', 'g-c', 'g-e', 'g-role']);
    expect(alice.map((r) => [r.access_id, r.path_ids, r.paths])).toEqual([
      ['g-a', 'direct', '1'], ['g-b', 'g-a>g-c', '1'], ['g-c', 'g-a', '1'], ['g-e', 'g-a>g-c>g-b', '1'], ['g-role', 'direct', '1'],
    ]);
    const erin = held('u-erin', 'group');
    expect(new Set(erin.map((r) => r.access_id)).size).toBe(erin.length);
  });

  it('paths counts distinct chains; path is the shortest, a tie going to the smaller group id', () => {
    const e = one('u-dave', 'group', 'g-e');
    expect([e.path, e.path_ids, e.paths]).toEqual(['via Group B', 'g-b', '2']);
  });

  it('an app role assigned to a group reaches its direct members only, not the members of a group inside it', () => {
    expect(one('u-bob', 'appRole', 'sp-app/role-admin')).toMatchObject({ path: 'via App Users', path_ids: 'g-users', resource_id: 'sp-app', resource_name: 'Contoso App', permissions: 'App.Admin' });
    expect(held('u-erin', 'appRole')).toEqual([]);
    // erin is a member of App Users all the same, through @Inner
    expect(one('u-erin', 'group', 'g-users').path).toBe('via @Inner');
  });

  it('a directory role and a role assignment held by a group reach its direct members, with the assignment scope', () => {
    expect(one('u-alice', 'directoryRole', 'dr-reader')).toMatchObject({ path: 'via Role Group', access_name: 'Global Reader' });
    expect(one('u-alice', 'roleAssignment', 'rd-reader')).toMatchObject({ scope: '/', path: 'via Role Group' });
    expect(one('u-alice', 'roleAssignment', 'rd-helpdesk')).toMatchObject({ scope: '/administrativeUnits/au-1', path: 'direct' });
  });

  it('a group in an administrative unit does not make its members members of the unit', () => {
    expect(one('u-dave', 'administrativeUnit', 'au-1').path).toBe('direct');
    expect(held('u-alice', 'administrativeUnit')).toEqual([]);
  });

  it('a deleted user and a removed membership are absent; guests and disabled accounts are filterable by column', () => {
    expect(held('u-carol')).toEqual([]);
    expect(held('u-bob', 'group').map((r) => r.access_id)).toEqual(['g-users']);
    const bob = held('u-bob')[0]!;
    expect([bob.enabled, bob.user_type, bob.last_sign_in]).toEqual(['false', 'Guest', '2023-06-01T12:00:00Z']);
    const unused = rows.filter((r) => r.identity_type === 'user' && (r.last_sign_in === '' || r.last_sign_in < '2023-11-02'));
    expect(new Set(unused.map((r) => r.identity_id))).toEqual(new Set(['u-bob', 'u-dave', 'u-erin']));
  });

  it('service principals: login is the appId, app permissions and delegated grants with their scopes', () => {
    expect(one('sp-app', 'appRole', 'sp-graph/role-dir')).toMatchObject({ login: 'app-id-1', user_type: '', permissions: 'Directory.Read.All', resource_name: 'Microsoft Graph' });
    expect(one('sp-app', 'delegatedGrant', 'sp-graph')).toMatchObject({ access_type: 'servicePrincipal', resource_id: 'sp-graph', permissions: 'Mail.Read User.Read openid' });
  });

  it('first_seen is the start of the run that first saw the newest link of the path', () => {
    expect(one('u-erin', 'group', 'g-b').first_seen).toBe('2024-02-01T00:00:00.000Z'); // C → B was first seen by run 2
    expect(one('u-erin', 'group', 'g-c').first_seen).toBe('2024-01-01T00:00:00.000Z');
  });
});

/** A database holding only groups and how they nest: [member, group] pairs. */
function graphOf(edges: [string, string][], options = {}): GroupGraph {
  const db = new Database(':memory:');
  db.exec(`CREATE TABLE entities (entity_type TEXT, id TEXT, display_name TEXT, deleted_at TEXT);
           CREATE VIEW effective_relations AS SELECT 'memberOf' AS relation, 'group' AS source_type, m AS source_id, 'group' AS target_type, g AS target_id, 1 AS first_seen_run FROM e;
           CREATE TABLE e (m TEXT, g TEXT);`);
  const ids = new Set(edges.flat());
  for (const id of ids) db.prepare("INSERT INTO entities VALUES ('group', ?, ?, NULL)").run(id, id.toUpperCase());
  for (const [m, g] of edges) db.prepare('INSERT INTO e VALUES (?, ?)').run(m, g);
  const graph = new GroupGraph(db, options);
  db.close();
  return graph;
}

const closureOf = (graph: GroupGraph, id: string) => {
  const c = graph.closure(graph.indexOf(id)!);
  return Object.fromEntries([...c.nodes].map((n, k) => [graph.ids[n]!, { via: graph.chainBetween(c, k).map((x) => graph.ids[x]).join('>'), paths: c.paths[k] }]));
};

describe('group closure', () => {
  it('a lattice with 2^12 chains is counted without walking them and capped', () => {
    // layer i has two groups, each a member of both groups of layer i+1
    const edges: [string, string][] = [];
    for (let i = 0; i < 12; i++) for (const a of ['x', 'y']) for (const b of ['x', 'y']) edges.push([`${a}${String(i).padStart(2, '0')}`, `${b}${String(i + 1).padStart(2, '0')}`]);
    const graph = graphOf(edges);
    const c = closureOf(graph, 'x00');
    expect(c.x01!.paths).toBe(1);
    expect(c.x03!.paths).toBe(4);
    expect(c.x12!.paths).toBe(PATHS_CAP);
    expect(c.x12!.via).toBe('x01>x02>x03>x04>x05>x06>x07>x08>x09>x10>x11');
  });

  it('in cyclic nesting, chains are simple (a group is never passed twice) and a group is not its own ancestor', () => {
    // a → b → c → a, and b → d, c → d: from a, d is reached by a>b>d and a>b>c>d
    const graph = graphOf([['a', 'b'], ['b', 'c'], ['c', 'a'], ['b', 'd'], ['c', 'd'], ['a', 'a']]);
    const c = closureOf(graph, 'a');
    expect(Object.keys(c).sort()).toEqual(['b', 'c', 'd']);
    expect(c.d).toEqual({ via: 'b', paths: 2 });
    expect(c.c).toEqual({ via: 'b', paths: 1 });
  });

  it('chains through a cycle count when they stay simple: g in x and y, x and y in each other', () => {
    const c = closureOf(graphOf([['g', 'x'], ['g', 'y'], ['x', 'y'], ['y', 'x']]), 'g');
    expect(c).toEqual({ x: { via: '', paths: 2 }, y: { via: '', paths: 2 } });
  });

  it('on random small nestings (cycles included), paths equals a brute-force count of simple chains and path is the shortest, smallest ids first', () => {
    let seed = 42;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let t = 0; t < 200; t++) {
      const names = Array.from({ length: 7 }, (_, i) => `n${i}`);
      const edges: [string, string][] = [];
      for (const a of names) for (const b of names) if (a !== b && rand() < 0.3) edges.push([a, b]);
      if (edges.length === 0) continue;
      const graph = graphOf(edges);
      const parentsOf = (x: string) => edges.filter(([m]) => m === x).map(([, g]) => g).sort();
      for (const start of names.filter((x) => graph.indexOf(x) !== undefined)) {
        // every simple chain from start, in order of discovery
        const chains = new Map<string, string[][]>();
        const walk = (x: string, seen: string[]) => {
          for (const p of parentsOf(x)) {
            if (p === start || seen.includes(p)) continue;
            const list = chains.get(p) ?? [];
            list.push(seen.slice(1));
            chains.set(p, list);
            walk(p, [...seen, p]);
          }
        };
        walk(start, [start]);
        const want = Object.fromEntries([...chains].map(([g, list]) => {
          const best = [...list].sort((a, b) => a.length - b.length || (a.join('>') < b.join('>') ? -1 : 1))[0]!;
          return [g, { via: best.join('>'), paths: Math.min(PATHS_CAP, list.length) }];
        }));
        expect(closureOf(graph, start), `${JSON.stringify(edges)} from ${start}`).toEqual(want);
      }
    }
  });

  it('densely cyclic nesting (every group in every other) ends: the count of chains stops at its budget, capped', () => {
    const ids = Array.from({ length: 12 }, (_, i) => `k${String(i).padStart(2, '0')}`);
    const graph = graphOf(ids.flatMap((a) => ids.filter((b) => b !== a).map((b) => [a, b] as [string, string])));
    const started = Date.now();
    const c = graph.closure(graph.indexOf('k00')!);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(c.nodes.length).toBe(11);
    expect(c.truncated).toBe(true); // 11! chains and more: counted up to the budget
    expect([...c.paths].every((n) => n >= 1 && n <= PATHS_CAP)).toBe(true);
    expect([...c.between].every((n) => n === 0)).toBe(true); // every other group is a direct parent
  });

  it('a small memo recomputes evicted closures with the same result', () => {
    const edges: [string, string][] = [['a', 'b'], ['b', 'c'], ['c', 'd'], ['x', 'c']];
    const small = graphOf(edges, { memoEntries: 1 });
    const first = closureOf(small, 'a');
    closureOf(small, 'x');
    expect(closureOf(small, 'a')).toEqual(first);
    expect(small.computed).toBe(3);
  });
});
