import type { Rng } from '../tenant/prng.js';
import type { Tenant } from '../tenant/tenant.js';
import type { Props } from '../tenant/tenant-types.js';
import type { Collection, Selection } from './properties.js';

/**
 * One round of a delta query: its content is computed when the round starts and never changes,
 * then cut into pages. Items hold references to immutable property bags, so a full round of the
 * benchmark tenant costs arrays of pointers, not copies.
 */
export type RoundItem =
  | { kind: 'removed'; id: string; reason: 'changed' | 'deleted' }
  | {
      kind: 'object';
      id: string;
      props: Props;
      /** Link targets: for users the manager, for groups the members then the owners. */
      links: string[];
      /** How many of `links` are members (groups) or manager (users); the rest are owners. */
      nFirst: number;
      /** Set for links reported as removed (delta rounds only). */
      removed?: Set<number>;
    };

/** A slice of one item on a page: links [a, b). */
export interface Part {
  i: number;
  a: number;
  b: number;
}

export interface Round {
  kind: Collection;
  selection: Selection;
  filterIds: Set<string> | null;
  filterRaw: string | null;
  /** Change sequence number when the round started: its deltaLink resumes from here. */
  seq: number;
  items: RoundItem[];
  pages: Part[][];
  /** Tokens already handed out for page n (so a repeated page gives the same next link). */
  pageTokens: Map<number, string>;
  deltaToken?: string;
}

/**
 * Every live object in its current state with its links to live objects only: a soft-deleted member,
 * owner or manager is not listed (GET /groups/{id}/members does not return deleted objects).
 */
export function fullRoundItems(t: Tenant, kind: Collection, sel: Selection, filterIds: Set<string> | null): RoundItem[] {
  const items: RoundItem[] = [];
  if (kind === 'users') {
    for (const u of t.users.values()) {
      if (u.state !== 'live' || (filterIds && !filterIds.has(u.id))) continue;
      const m = sel.manager ? t.effectiveManager(u.id) : null;
      items.push({ kind: 'object', id: u.id, props: u.props, links: m ? [m] : [], nFirst: m ? 1 : 0 });
    }
    return items;
  }
  for (const g of t.groups.values()) {
    if (g.state !== 'live' || (filterIds && !filterIds.has(g.id))) continue;
    items.push(groupFullItem(t, g.id, sel, []));
  }
  return items;
}

/** A link changed within a delta window, reported with its state at the start of the round. */
interface ChangedLink {
  id: string;
  owner: boolean;
  removed: boolean;
}

/**
 * A group with its live members and owners, plus the links changed in the delta window that this
 * list does not already say: removed ones, and stored ones whose other end is soft-deleted now.
 */
function groupFullItem(t: Tenant, id: string, sel: Selection, changed: ChangedLink[]): RoundItem & { kind: 'object' } {
  const g = t.groups.get(id)!;
  const members: string[] = [];
  const owners: string[] = [];
  if (sel.members) for (const m of g.members) if (t.isLive(m)) members.push(m);
  if (sel.owners) for (const o of g.owners) if (t.isLive(o)) owners.push(o);
  const removed = new Set<number>();
  for (const c of changed) {
    if (c.owner || (!c.removed && t.isLive(c.id))) continue;
    if (c.removed) removed.add(members.length);
    members.push(c.id);
  }
  for (const c of changed) {
    if (!c.owner || (!c.removed && t.isLive(c.id))) continue;
    if (c.removed) removed.add(members.length + owners.length);
    owners.push(c.id);
  }
  const links = members.concat(owners);
  return { kind: 'object', id, props: g.props, links, nFirst: members.length, ...(removed.size > 0 ? { removed } : {}) };
}

/**
 * Changes in (fromSeq, now], each object once with its latest state
 * (https://learn.microsoft.com/graph/delta-query-overview).
 *
 * - A soft-deleted object is `@removed: {reason: 'changed'}`, a permanently deleted one 'deleted'.
 * - A created or restored object comes in full: for a group its live members and owners, for a user
 *   its live manager, plus the links changed in the window (below).
 * - A changed link is reported by its stored state when the round starts: present when stored,
 *   `@removed` when not. A stored link is reported even if its other end is soft-deleted by now,
 *   because the directory keeps it (https://learn.microsoft.com/graph/delta-query-groups) and a
 *   client must hold it to have it back when that end is restored, which reports no link.
 * - Soft deletes and restores log no link change (see Tenant), so they bring no linked object here.
 */
export function deltaRoundItems(t: Tenant, kind: Collection, sel: Selection, filterIds: Set<string> | null, fromSeq: number): RoundItem[] {
  const objType = kind === 'users' ? 'user' : 'group';
  const tracked = new Set(sel.props);
  /** id → true when created/restored (report every link), false for a tracked update or a delete. */
  const objects = new Map<string, boolean>();
  const memberChanges = new Map<string, Set<string>>();
  const ownerChanges = new Map<string, Set<string>>();
  /** userId → its stored manager at the start of the window (the `old` of its first manager entry). */
  const managerBefore = new Map<string, string | null>();
  const order: string[] = [];
  const touch = (id: string): void => {
    if (!objects.has(id) && !memberChanges.has(id) && !ownerChanges.has(id) && !managerBefore.has(id)) order.push(id);
  };
  const changes = t.changes;
  for (let i = fromSeq; i < changes.length; i++) {
    const c = changes[i]!;
    if (c.kind === 'object') {
      if (c.objType !== objType) continue;
      if (c.op === 'updated' && !(c.props ?? []).some((p) => tracked.has(p))) continue;
      touch(c.id);
      const full = c.op === 'created' || c.op === 'restored';
      objects.set(c.id, (objects.get(c.id) ?? false) || full);
    } else if (c.kind === 'member' || c.kind === 'owner') {
      if (kind !== 'groups' || !(c.kind === 'member' ? sel.members : sel.owners)) continue;
      touch(c.groupId);
      const map = c.kind === 'member' ? memberChanges : ownerChanges;
      let s = map.get(c.groupId);
      if (!s) map.set(c.groupId, (s = new Set()));
      s.add(c.id);
    } else if (c.kind === 'manager') {
      if (kind !== 'users' || !sel.manager) continue;
      touch(c.userId);
      if (!managerBefore.has(c.userId)) managerBefore.set(c.userId, c.old);
    }
  }
  const items: RoundItem[] = [];
  for (const id of order) {
    if (filterIds && !filterIds.has(id)) continue;
    const rec = kind === 'users' ? t.users.get(id) : t.groups.get(id);
    if (!rec) {
      items.push({ kind: 'removed', id, reason: 'deleted' });
      continue;
    }
    if (rec.state === 'soft') {
      items.push({ kind: 'removed', id, reason: 'changed' });
      continue;
    }
    const full = objects.get(id) === true;
    if (kind === 'users') {
      const cur = sel.manager ? t.users.get(id)!.manager : null;
      const curLive = cur !== null && t.isLive(cur);
      let links: string[] = full && curLive ? [cur] : [];
      let removed: Set<number> | undefined;
      if (managerBefore.has(id)) {
        const before = managerBefore.get(id) ?? null;
        if (cur !== before) {
          if (cur !== null) links = [cur];
          else if (before !== null) { links = [before]; removed = new Set([0]); }
        }
      }
      if (!objects.has(id) && links.length === 0) continue;
      items.push({ kind: 'object', id, props: rec.props, links, nFirst: links.length, ...(removed ? { removed } : {}) });
      continue;
    }
    const g = t.groups.get(id)!;
    if (full) {
      const changed: ChangedLink[] = [];
      for (const m of memberChanges.get(id) ?? []) changed.push({ id: m, owner: false, removed: !g.members.has(m) });
      for (const o of ownerChanges.get(id) ?? []) changed.push({ id: o, owner: true, removed: !g.owners.has(o) });
      items.push(groupFullItem(t, id, sel, changed));
      continue;
    }
    const links: string[] = [];
    const removed = new Set<number>();
    for (const m of memberChanges.get(id) ?? []) {
      if (!g.members.has(m)) removed.add(links.length);
      links.push(m);
    }
    const nFirst = links.length;
    for (const o of ownerChanges.get(id) ?? []) {
      if (!g.owners.has(o)) removed.add(links.length);
      links.push(o);
    }
    if (!objects.has(id) && links.length === 0) continue;
    items.push({ kind: 'object', id, props: g.props, links, nFirst, ...(removed.size > 0 ? { removed } : {}) });
  }
  return items;
}

export interface PagingOptions {
  /** Units (1 per object + 1 per link entry) a page may hold: drawn uniformly in [min, max] per page. */
  units: [number, number];
  emptyPageRate: number;
  replayRate: number;
  shuffle: boolean;
}

/**
 * Cuts a round into pages. An item with more links than the page has room for is split: the
 * same object repeats on later pages with further slices of its links, and other items may come
 * between the slices (graph-facts 1.3, large groups).
 */
export function planPages(items: RoundItem[], rng: Rng, o: PagingOptions): Part[][] {
  const queue: (Part & { replay?: boolean })[] = items.map((it, i) => ({ i, a: 0, b: it.kind === 'object' ? it.links.length : 0 }));
  if (o.shuffle) rng.shuffle(queue);
  const minUnits = Math.max(2, o.units[0]);
  const maxUnits = Math.max(minUnits, o.units[1]);
  const draw = (): number => rng.int(minUnits, maxUnits);
  const pages: Part[][] = [];
  let cur: Part[] = [];
  let budget = draw();
  const flush = (): void => {
    if (o.emptyPageRate > 0 && rng.chance(o.emptyPageRate)) pages.push([]);
    pages.push(cur);
    cur = [];
    budget = draw();
  };
  for (let pos = 0; pos < queue.length; pos++) {
    const e = queue[pos]!;
    const need = 1 + (e.b - e.a);
    if (need <= budget) {
      cur.push({ i: e.i, a: e.a, b: e.b });
      budget -= need;
      if (!e.replay && o.replayRate > 0 && rng.chance(o.replayRate)) {
        queue.splice(Math.min(queue.length, pos + 1 + rng.int(1, 40)), 0, { i: e.i, a: e.a, b: e.b, replay: true });
      }
    } else if (budget >= 2 && e.b > e.a) {
      const take = budget - 1;
      cur.push({ i: e.i, a: e.a, b: e.a + take });
      queue.splice(Math.min(queue.length, pos + 1 + rng.int(0, 2)), 0, { i: e.i, a: e.a + take, b: e.b, ...(e.replay ? { replay: true } : {}) });
      budget = 0;
    } else {
      pos--; // does not fit: retry on a fresh page
      budget = 0;
    }
    if (budget <= 0) flush();
  }
  if (cur.length > 0 || pages.length === 0) pages.push(cur);
  return pages;
}
