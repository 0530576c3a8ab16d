import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runExport } from '../../src/export/index.js';
import { createSimWorld, TENANT_ID, type SimWorld } from '../support/sim-world.js';
import { dbFile, pull, readDb } from '../support/integration-helpers.js';
import { ALL_ROLES } from '../support/tenant-state.js';
import { readCsv } from './support.js';

let world: SimWorld;
let path: string;

beforeAll(async () => {
  world = createSimWorld({ roles: ALL_ROLES, tenant: { users: 120, groups: 20, memberships: 600, audit: { premium: true } } });
  path = dbFile();
  const summary = await pull(world, path, { only: undefined });
  expect(summary.outcome).toBe('success');
});
afterAll(() => world?.close());

const out = () => join(mkdtempSync(join(tmpdir(), 'ee-export-')), 'out');

describe('export of a pulled simulated tenant with every collection', () => {
  it('every parent and child of entity_relations.csv is in entities.csv, and only effective rows with exported ends are left out', async () => {
    const dir = out();
    const report = await runExport({ dbPath: path, out: dir });
    const entities = readCsv(join(dir, 'entities.csv'));
    const relations = readCsv(join(dir, 'entity_relations.csv'));
    const byId = new Map(entities.map((e) => [e['Source ID'], e]));
    expect(byId.size).toBe(entities.length); // Graph ids are unique across types
    for (const r of relations) {
      expect(byId.get(r['Parent Entity Source ID']!)?.['Entity Type'], r['Parent Entity Source ID']).toBe(r['Parent Entity Type']);
      expect(byId.get(r['Entity Source ID']!)?.['Entity Type'], r['Entity Source ID']).toBe(r['Entity Type']);
      const m = JSON.parse(r.Metadata!) as Record<string, unknown>;
      expect(m.project).toBe(TENANT_ID);
      expect(m.privilegeValue).toBe('true');
      expect(typeof m.privilegeName).toBe('string');
    }
    // Every entity type of every collection is there, every row is live.
    const types = new Set(entities.map((e) => e['Source Type']));
    expect([...types].sort()).toEqual(['administrativeUnit', 'appRole', 'application', 'directoryRole', 'group', 'roleDefinition', 'servicePrincipal', 'subscribedSku', 'user']);
    const live = readDb(path, (db) => db.prepare('SELECT COUNT(*) AS n FROM entities WHERE deleted_at IS NULL').get()) as { n: number };
    expect(entities.length).toBe(live.n);
    // Rows written + rows left out = the effective access rows (not reportsTo / appRoleOf).
    const effective = readDb(path, (db) => db.prepare("SELECT COUNT(*) AS n FROM effective_relations WHERE relation NOT IN ('reportsTo', 'appRoleOf')").get()) as { n: number };
    expect(relations.length + report.leftOut.rows).toBe(effective.n);
    expect(report.leftOut.rows).toBeGreaterThan(0); // the simulated tenant has devices in groups
    expect(Object.keys(report.leftOut.byReason).every((k) => k.includes('device'))).toBe(true);
    expect(report.files.map((f) => [f.file, f.rows])).toEqual([['entities.csv', entities.length], ['entity_relations.csv', relations.length]]);
  });

  it('two exports of the same database are byte-identical, in both formats', async () => {
    for (const format of ['balkanid', 'flat'] as const) {
      const a = out();
      const b = out();
      const ra = await runExport({ dbPath: path, out: a, format });
      await runExport({ dbPath: path, out: b, format });
      for (const f of ra.files) expect(readFileSync(join(b, f.file)).equals(readFileSync(join(a, f.file))), f.file).toBe(true);
    }
  });

  it('the flat file covers every live user and service principal that holds access, with known columns', async () => {
    const dir = out();
    const report = await runExport({ dbPath: path, out: dir, format: 'flat' });
    const rows = readCsv(join(dir, 'access.csv'));
    expect(rows.length).toBe(report.files[0]!.rows);
    const kinds = new Set(rows.map((r) => r.access_kind));
    for (const k of ['group', 'directoryRole', 'roleAssignment', 'administrativeUnit', 'appRole', 'license', 'owner', 'delegatedGrant']) expect(kinds, k).toContain(k);
    for (const r of rows) {
      expect(['user', 'servicePrincipal']).toContain(r.identity_type);
      expect(Number(r.paths)).toBeGreaterThanOrEqual(1);
      expect(r.path === 'direct').toBe(r.path_ids === 'direct');
      expect(r.first_seen).toMatch(/^\d{4}-\d\d-\d\dT/);
    }
  });
});
