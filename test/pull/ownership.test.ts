import { describe, expect, it } from 'vitest';
import type { ListStep } from '../../src/pull/connector.js';
import type { RelationScope } from '../../src/store/index.js';
import { Harness, connector, scriptPages } from './support-runners.js';

const memberOf: RelationScope = { relation: 'memberOf', anchor: 'target', anchorType: 'team' };
const otherSet: RelationScope = { relation: 'memberOf', anchor: 'target', anchorType: 'group' };

function step(map: ListStep['map']): ListStep {
  return { kind: 'list', name: 'teams', entityTypes: ['team'], relationScopes: [memberOf], url: () => '/teams', map };
}

describe('a collection writes only what it declares', () => {
  const page = { value: [{ id: 't1' }] };

  it('its own objects and links are written', async () => {
    const h = new Harness();
    const { reader } = scriptPages({ '/teams': page });
    const r = await h.run(connector('teams', [step((o) => [{
      entityType: 'team', id: o.id as string, data: { id: o.id },
      links: [{ scope: memberOf, anchorId: o.id as string, otherId: 'u1', otherType: 'user', removed: false }],
    }])]), { readPages: reader });
    expect(r.outcome).toBe('success');
    expect(h.db.prepare('SELECT COUNT(*) AS n FROM entity_relations').get()).toEqual({ n: 1 });
  });

  for (const [what, map] of [
    ['an object of another type', () => [{ entityType: 'group', id: 'g1', data: { id: 'g1' }, links: [] }]],
    ['the removal of another type', () => [{ entityType: 'user', id: 'u1', removed: 'deleted', links: [] }]],
    ['children of another type', () => [{ entityType: 'team', id: 't1', data: { id: 't1' }, links: [], children: { entityType: 'appRole', ids: [] } }]],
    ['a link of another set', () => [{ entityType: 'team', id: 't1', links: [{ scope: otherSet, anchorId: 'g1', otherId: 'u1', removed: false }] }]],
  ] as [string, ListStep['map']][]) {
    it(`${what} fails the collection and writes nothing`, async () => {
      const h = new Harness();
      h.db.prepare("INSERT INTO entities (entity_type, id, data) VALUES ('user', 'u1', '{}')").run();
      const { reader } = scriptPages({ '/teams': page });
      const r = await h.run(connector('teams', [step(map)]), { readPages: reader });
      expect(r.outcome).toBe('failed');
      expect((r.error as Error).message).toMatch(/did not declare/);
      expect(h.db.prepare("SELECT entity_type, id, deleted_at FROM entities").all()).toEqual([{ entity_type: 'user', id: 'u1', deleted_at: null }]);
      expect(h.db.prepare('SELECT COUNT(*) AS n FROM entity_relations').get()).toEqual({ n: 0 });
    });
  }
});
