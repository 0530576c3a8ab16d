import { afterEach, describe, expect, it } from 'vitest';
import { createSimWorld, TENANT_DOMAIN, TENANT_ID, type SimWorld } from '../support/sim-world.js';
import { DIRECTORY_CORE, dbFile, expectTruth, fastRetry, readDb, writeDb } from '../support/integration-helpers.js';
import { loadConfig } from '../../src/config/index.js';
import { runPull } from '../../src/pull/run-pull.js';

/**
 * The database belongs to the tenant id in the access token (`tid`), not to the string configured:
 * the same tenant named by its domain or by its GUID is one database, and two tenants never share one.
 */
let world: SimWorld;
afterEach(() => world?.close());

function pullAs(tenant: string, path: string, notices: string[] = []) {
  const config = loadConfig({ env: { ...world.env, AZURE_TENANT_ID: tenant, ENTRA_DB: path }, cwd: '/', require: 'credentials' });
  return runPull({ config, retry: fastRetry, only: DIRECTORY_CORE, onNotice: (n) => notices.push(n) });
}

const meta = (path: string) =>
  Object.fromEntries((readDb(path, (db) => db.prepare('SELECT key, value FROM meta').all()) as { key: string; value: string }[]).map((r) => [r.key, r.value]));

describe('tenant binding', () => {
  it('a tenant configured by domain name is bound to its GUID, and the same database serves it by GUID', async () => {
    world = createSimWorld();
    const path = dbFile();
    expect((await pullAs(TENANT_DOMAIN, path)).outcome).toBe('success');
    expect(meta(path).tenant_id).toBe(TENANT_ID);
    const second = await pullAs(TENANT_ID, path);
    expect(second.outcome).toBe('success');
    expect(second.collections.users!.mode).toBe('delta');
    expect((await pullAs(TENANT_DOMAIN.toUpperCase(), path)).outcome).toBe('success');
    expectTruth(path, world.tenant);
  });

  it('a database bound to the configured domain by an earlier version is re-bound to the tenant id once, with a notice', async () => {
    world = createSimWorld();
    const path = dbFile();
    expect((await pullAs(TENANT_DOMAIN, path)).outcome).toBe('success');
    writeDb(path, (db) => db.prepare("UPDATE meta SET value = ? WHERE key = 'tenant_id'").run(TENANT_DOMAIN));
    const notices: string[] = [];
    const r = await pullAs(TENANT_DOMAIN, path, notices);
    expect(r.outcome).toBe('success');
    expect(notices).toHaveLength(1);
    expect(notices[0]).toContain(TENANT_DOMAIN);
    expect(notices[0]).toContain(TENANT_ID);
    expect(r.notices).toEqual(notices);
    expect(meta(path).tenant_id).toBe(TENANT_ID);
    const again: string[] = [];
    await pullAs(TENANT_ID, path, again);
    expect(again).toEqual([]);
  });

  it("another tenant's database is refused before anything is written, whatever name the tenant is given", async () => {
    world = createSimWorld();
    const path = dbFile();
    expect((await pullAs(TENANT_ID, path)).outcome).toBe('success');
    const other = '0badc0de-0000-4000-8000-000000000001';
    writeDb(path, (db) => db.prepare("UPDATE meta SET value = ? WHERE key = 'tenant_id'").run(other));
    const runs = readDb(path, (db) => db.prepare('SELECT COUNT(*) FROM runs').pluck().get());
    for (const name of [TENANT_ID, TENANT_DOMAIN]) {
      await expect(pullAs(name, path)).rejects.toMatchObject({ code: 'DB_OTHER_TENANT', message: expect.stringContaining(other) });
    }
    expect(readDb(path, (db) => db.prepare('SELECT COUNT(*) FROM runs').pluck().get())).toBe(runs);
    expect(meta(path).tenant_id).toBe(other);
  });
});
