import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runReport } from '../../src/cli/report-command.js';
import type { ReportFindings } from '../../src/report/report-findings.js';
import { createSimWorld, type SimWorld } from '../support/sim-world.js';
import { ALL_ROLES } from '../support/tenant-state.js';
import { dbFile, pull, readDb } from '../support/integration-helpers.js';
import { parsePage } from './support.js';

/**
 * `report` on the simulated tenant after two real pulls of every collection: every section finds
 * something, and the findings agree with plain SQL over effective_relations, computed another way.
 * The app also holds User-LifeCycleInfo.Read.All, so the users round reads employeeLeaveDateTime;
 * credentials expire relative to now.
 */
let world: SimWorld;
let path: string;
let findings: ReportFindings & { file?: string };
let page: string;

beforeAll(async () => {
  world = createSimWorld({ roles: [...ALL_ROLES, 'User-LifeCycleInfo.Read.All'], tenant: { directory: { referenceTime: Date.now() } } });
  path = dbFile();
  await pull(world, path, { only: undefined });
  world.tenant.randomChanges(0.05, 7);
  await pull(world, path, { only: undefined });
  const out = join(mkdtempSync(join(tmpdir(), 'ee-report-sim-')), 'review.html');
  findings = await runReport({ dbPath: path, out });
  page = readFileSync(out, 'utf8');
});

afterAll(() => world.close());

/** Live users and service principals holding any access directly (group membership is access itself). */
const HOLDERS = `SELECT DISTINCT r.source_type, r.source_id FROM effective_relations r
  JOIN entities e ON e.entity_type = r.source_type AND e.id = r.source_id AND e.deleted_at IS NULL
  WHERE r.source_type IN ('user', 'servicePrincipal') AND (r.relation IN ('hasRole', 'hasAppRole', 'licensedWith', 'ownerOf', 'delegatedGrant')
    OR (r.relation = 'memberOf' AND r.target_type IN ('group', 'directoryRole', 'administrativeUnit')))`;

const ids = (rows: { identity: { id: string } }[]) => rows.map((r) => r.identity.id).sort();

describe('report on the simulated tenant, every collection pulled', () => {
  it('every section has at least one row', () => {
    expect(findings.freshness.collections.every((c) => c.status === 'ok')).toBe(true);
    expect(findings.freshness.warnings).toEqual([]);
    expect(findings.privileged.roles.length).toBeGreaterThan(0);
    expect(findings.privileged.roles.some((r) => r.role.privileged)).toBe(true);
    expect(findings.privileged.appPermissions.map((a) => a.permission)).toContain('RoleManagement.ReadWrite.Directory');
    expect(findings.dormant.rows.length).toBeGreaterThan(0);
    expect(findings.guests.rows.length).toBeGreaterThan(0);
    expect(findings.disabledWithAccess.rows.length).toBeGreaterThan(0);
    expect(findings.leavers.rows.length).toBeGreaterThan(0);
    expect(findings.credentials.rows.some((c) => c.status === 'expiring')).toBe(true);
    expect(findings.ownerless.rows.length).toBeGreaterThan(0);
    expect(findings.changes.available).toBe(true);
    expect(findings.changes.granted.length + findings.changes.removed.length).toBeGreaterThan(0);
  });

  it('the page parses without errors', () => {
    expect(parsePage(page).errors).toEqual([]);
  });

  it('dormant, guests, disabled and leavers are the accounts plain SQL finds', () => {
    const cutoff = findings.dormant.cutoff;
    const sql = readDb(path, (db) => {
      const holders = new Set((db.prepare(HOLDERS).raw().all() as [string, string][]).map(([t, id]) => `${t}:${id}`));
      const users = db.prepare(`SELECT id, data ->> '$.accountEnabled' AS enabled, data ->> '$.userType' AS type, json_type(data, '$.signInActivity') AS sia,
        data ->> '$.signInActivity.lastSuccessfulSignInDateTime' AS last, data ->> '$.employeeLeaveDateTime' AS leave
        FROM entities WHERE entity_type = 'user' AND deleted_at IS NULL`).all() as { id: string; enabled: number; type: string; sia: string | null; last: string | null; leave: string | null }[];
      const sps = db.prepare("SELECT id FROM entities WHERE entity_type = 'servicePrincipal' AND deleted_at IS NULL AND data ->> '$.accountEnabled' = 0").pluck().all() as string[];
      const has = (id: string) => holders.has(`user:${id}`);
      const never = (last: string | null) => last === null || last.startsWith('0001-');
      return {
        dormant: users.filter((u) => u.enabled === 1 && has(u.id) && u.sia !== null && (never(u.last) || Date.parse(u.last!) < Date.parse(cutoff))).map((u) => u.id).sort(),
        guests: users.filter((u) => u.type === 'Guest' && has(u.id)).map((u) => u.id).sort(),
        disabled: [...users.filter((u) => u.enabled === 0 && has(u.id)).map((u) => u.id), ...sps.filter((id) => holders.has(`servicePrincipal:${id}`))].sort(),
        leavers: users.filter((u) => u.enabled === 1 && u.leave !== null && Date.parse(u.leave) < Date.now()).map((u) => u.id).sort(),
      };
    });
    expect(ids(findings.dormant.rows)).toEqual(sql.dormant);
    expect(ids(findings.guests.rows)).toEqual(sql.guests);
    expect(ids(findings.disabledWithAccess.rows)).toEqual(sql.disabled);
    expect(ids(findings.leavers.rows)).toEqual(sql.leavers);
  });

  it('group memberships are counted transitively, as a recursive query counts them', () => {
    const transitive = readDb(path, (db) => db.prepare(`
      WITH RECURSIVE held(source_type, source_id, group_id) AS (
        SELECT source_type, source_id, target_id FROM effective_relations
        WHERE relation = 'memberOf' AND target_type = 'group' AND source_type IN ('user', 'servicePrincipal')
        UNION
        SELECT h.source_type, h.source_id, r.target_id FROM held h
        JOIN effective_relations r ON r.relation = 'memberOf' AND r.source_type = 'group' AND r.source_id = h.group_id AND r.target_type = 'group'
      )
      SELECT COUNT(*) FROM held h JOIN entities e ON e.entity_type = h.source_type AND e.id = h.source_id AND e.deleted_at IS NULL`).pluck().get()) as number;
    const direct = readDb(path, (db) => db.prepare("SELECT COUNT(*) FROM effective_relations WHERE relation = 'memberOf' AND source_type IN ('user', 'servicePrincipal') AND target_type = 'group'").pluck().get()) as number;
    expect(findings.summary.accessByKind.group).toBe(transitive);
    // The simulated tenant nests groups, so this checks the closure and not only the direct links.
    expect(transitive).toBeGreaterThan(direct);
  });

  it('role holders: every direct holder, and every direct member of a group holding a role, nobody else', () => {
    const want = readDb(path, (db) => {
      const links = db.prepare(`SELECT source_type, source_id, target_type, target_id FROM effective_relations
        WHERE (relation = 'memberOf' AND target_type = 'directoryRole') OR relation = 'hasRole'`).all() as { source_type: string; source_id: string }[];
      const out = new Set<string>();
      for (const l of links) {
        if (l.source_type === 'user' || l.source_type === 'servicePrincipal' || l.source_type === 'group') out.add(`${l.source_type}:${l.source_id}`);
        if (l.source_type !== 'group') continue;
        const members = db.prepare("SELECT source_type, source_id FROM effective_relations WHERE relation = 'memberOf' AND target_type = 'group' AND target_id = ? AND source_type IN ('user', 'servicePrincipal')").raw().all(l.source_id) as [string, string][];
        for (const [t, id] of members) out.add(`${t}:${id}`);
      }
      return [...out].sort();
    });
    expect([...new Set(findings.privileged.roles.map((r) => `${r.holder.type}:${r.holder.id}`))].sort()).toEqual(want);
  });
});
