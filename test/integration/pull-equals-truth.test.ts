import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { runPull } from '../../src/pull/run-pull.js';
import { createSimWorld, liveState, truthState, type SimWorld } from '../support/sim-world.js';
import { DIRECTORY_CORE } from '../support/integration-helpers.js';

let world: SimWorld | undefined;
afterEach(() => world?.close());

const fastRetry = { baseDelayMs: 5, maxDelayMs: 50 };

function dbFile(): string {
  return join(mkdtempSync(join(tmpdir(), 'ee-int-')), 'entra.db');
}

function state(path: string) {
  const db = new Database(path, { readonly: true });
  try {
    return liveState(db);
  } finally {
    db.close();
  }
}

describe('pull against the simulated tenant', () => {
  it('a full pull, then an incremental pull after every kind of change, equals the tenant', async () => {
    world = createSimWorld({ graph: { emptyPageRate: 0.1, replayRate: 0.05 } });
    const path = dbFile();
    const config = world.config(path);
    const first = await runPull({ config, retry: fastRetry, only: DIRECTORY_CORE });
    expect(first.outcome).toBe('success');
    expect(first.collections.users!.mode).toBe('full');
    expect(state(path)).toEqual(truthState(world.tenant));

    const t = world.tenant;
    const users = [...t.users.values()].filter((u) => u.state === 'live').map((u) => u.id);
    const groups = [...t.groups.values()].filter((g) => g.state === 'live').map((g) => g.id);
    const created = t.createUser({ displayName: 'New Person' });
    t.setManager(created, users[0]!);
    t.updateUser(users[1]!, { jobTitle: 'Chief Reviewer', accountEnabled: false });
    t.softDeleteUser(users[2]!);
    t.hardDeleteUser(users[3]!);
    t.softDeleteUser(users[4]!);
    const g0 = groups[0]!;
    t.addMember(g0, { type: 'user', id: created });
    const someMember = [...t.groups.get(groups[1]!)!.members][0];
    if (someMember) t.removeMember(groups[1]!, someMember);
    t.softDeleteGroup(groups[2]!);
    t.hardDeleteGroup(groups[3]!);
    t.updateGroup(groups[5]!, { description: 'changed' });

    const second = await runPull({ config, retry: fastRetry, only: DIRECTORY_CORE });
    expect(second.outcome).toBe('success');
    expect(second.collections.users!.mode).toBe('delta');
    expect(second.collections.groups!.mode).toBe('delta');
    expect(state(path)).toEqual(truthState(world.tenant));

    // restores come back to life
    t.restoreUser(users[4]!);
    t.restoreGroup(groups[2]!);
    await runPull({ config, retry: fastRetry, only: DIRECTORY_CORE });
    expect(state(path)).toEqual(truthState(world.tenant));

    const db = new Database(path, { readonly: true });
    const row = (id: string) => db.prepare("SELECT data, deleted_at FROM entities WHERE entity_type = 'user' AND id = ?").get(id) as { data: string; deleted_at: string | null };
    expect(JSON.parse(row(users[1]!).data)).toMatchObject({ jobTitle: 'Chief Reviewer', accountEnabled: false });
    expect(row(users[2]!).deleted_at).not.toBeNull();
    expect(row(users[4]!).deleted_at).toBeNull();
    db.close();
  });
});
