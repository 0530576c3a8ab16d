import { ChangeTracker, type Clock } from './change-tracker.js';
import { applyPatch } from '../tenant/apply-patch.js';
import type { TrackedRec } from './directory-types.js';

/**
 * One change-tracked collection (service principals, applications, directory roles or administrative
 * units) and its log. Links are owners (not tracked by delta here: the owners are read from
 * /{id}/owners) or members (tracked: members@delta).
 *
 * Deletion follows delta-query-groups (https://learn.microsoft.com/graph/delta-query-groups): a soft
 * delete or a restore logs only the object and keeps its links; a permanent delete drops the object
 * with its own links (reported `@removed: deleted`).
 */
export class TrackedObjects {
  readonly recs = new Map<string, TrackedRec>();
  readonly tracker: ChangeTracker;

  constructor(clock: Clock, private readonly trackLinks: boolean) {
    this.tracker = new ChangeTracker(clock);
  }

  get(id: string): TrackedRec | undefined {
    return this.recs.get(id);
  }

  /** Live or soft-deleted. */
  has(id: string): boolean {
    return this.recs.has(id);
  }

  isLive(id: string): boolean {
    return this.recs.get(id)?.state === 'live';
  }

  live(id: string): TrackedRec {
    const r = this.recs.get(id);
    if (!r || r.state !== 'live') throw new Error(`no live object ${id}`);
    return r;
  }

  insert(id: string, props: Record<string, unknown>): TrackedRec {
    if (this.recs.has(id)) throw new Error(`duplicate id ${id}`);
    const rec: TrackedRec = { id, props: Object.freeze({ ...props }), state: 'live', links: new Set() };
    this.recs.set(id, rec);
    this.tracker.created(id);
    return rec;
  }

  /** Applies the patch; returns the names whose value changed (nothing is logged when none did). */
  update(id: string, patch: Record<string, unknown>): string[] {
    const rec = this.live(id);
    const { props, changed } = applyPatch(rec.props, patch);
    if (changed.length === 0) return changed;
    rec.props = props;
    this.tracker.updated(id);
    return changed;
  }

  softDelete(id: string): void {
    this.live(id).state = 'soft';
    this.tracker.removed(id, 'changed');
  }

  restore(id: string): void {
    const r = this.recs.get(id);
    if (!r || r.state !== 'soft') throw new Error(`no soft-deleted object ${id}`);
    r.state = 'live';
    this.tracker.restored(id);
  }

  /** Drops the object with its links; returns it. */
  hardDelete(id: string): TrackedRec {
    const r = this.recs.get(id);
    if (!r) throw new Error(`no object ${id}`);
    this.recs.delete(id);
    this.tracker.removed(id, 'deleted');
    return r;
  }

  addLink(id: string, other: string): boolean {
    const r = this.live(id);
    if (r.links.has(other)) return false;
    r.links.add(other);
    if (this.trackLinks) this.tracker.linkChanged(id, other);
    return true;
  }

  /**
   * Removes a stored link, also of a soft-deleted object: logged even then, so that a restore later in
   * the same delta window cannot bring back a link the client still holds.
   */
  removeLink(id: string, other: string): boolean {
    const r = this.recs.get(id);
    if (!r || !r.links.delete(other)) return false;
    if (this.trackLinks) this.tracker.linkChanged(id, other);
    return true;
  }

  counts(): { live: number; soft: number; links: number } {
    let soft = 0;
    let links = 0;
    for (const r of this.recs.values()) {
      if (r.state === 'soft') soft++;
      links += r.links.size;
    }
    return { live: this.recs.size - soft, soft, links };
  }
}

