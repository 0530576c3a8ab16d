/**
 * Versioned change tracking for the delta collections of the directory (service principals,
 * applications, directory roles, administrative units): "what changed after sequence S".
 *
 * Every object carries the sequence number of its last change; a deletion leaves a tombstone with its
 * reason (soft → 'changed', hard → 'deleted', as delta reports them:
 * https://learn.microsoft.com/graph/delta-query-overview#resource-representation-in-the-delta-query-response);
 * a change of a member link is logged with its own sequence number. The log says only *which* objects
 * and links changed; a round reports them in their current state.
 */

/** The sequence shared by every tracked collection; 0 is the generated state, before any change. */
export class Clock {
  seq = 0;
  /** While true nothing is recorded (the generator builds the initial state this way). */
  quiet = false;

  tick(): number {
    return this.quiet ? 0 : ++this.seq;
  }
}

export type RemovedReason = 'changed' | 'deleted';

interface ObjectEntry {
  /** Last change of any kind. */
  seq: number;
  /** Last create or restore: a round from an earlier token sends the object with all its members. */
  fullSeq: number;
  /** Set while the object is deleted: soft ('changed') or permanently ('deleted'). */
  removed: RemovedReason | null;
}

export interface ObjectChange {
  id: string;
  /** Created or restored in the window: report every member, not only the changed links. */
  full: boolean;
  removed: RemovedReason | null;
}

export class ChangeTracker {
  private readonly objects = new Map<string, ObjectEntry>();
  /** Append-only, so ordered by seq. */
  private readonly links: { seq: number; owner: string; member: string }[] = [];

  constructor(private readonly clock: Clock) {}

  created(id: string): void {
    this.mark(id, true, null);
  }

  updated(id: string): void {
    this.mark(id, false, null);
  }

  restored(id: string): void {
    this.mark(id, true, null);
  }

  removed(id: string, reason: RemovedReason): void {
    this.mark(id, false, reason);
  }

  /** A member link of `owner` was added or removed; a round reports its state when the round starts. */
  linkChanged(owner: string, member: string): void {
    const seq = this.clock.tick();
    if (seq > 0) this.links.push({ seq, owner, member });
  }

  /** Objects whose last change is after `seq`, each once. */
  changedSince(seq: number): ObjectChange[] {
    const out: ObjectChange[] = [];
    for (const [id, e] of this.objects) {
      if (e.seq > seq) out.push({ id, full: e.fullSeq > seq, removed: e.removed });
    }
    return out;
  }

  /** owner → the members whose link changed after `seq` (each once). */
  linksSince(seq: number): Map<string, Set<string>> {
    const out = new Map<string, Set<string>>();
    // Binary search for the first entry after seq: the log only grows.
    let lo = 0;
    let hi = this.links.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.links[mid]!.seq > seq) hi = mid;
      else lo = mid + 1;
    }
    for (let i = lo; i < this.links.length; i++) {
      const l = this.links[i]!;
      let s = out.get(l.owner);
      if (!s) out.set(l.owner, (s = new Set()));
      s.add(l.member);
    }
    return out;
  }

  private mark(id: string, full: boolean, removed: RemovedReason | null): void {
    const seq = this.clock.tick();
    if (seq === 0) return;
    const e = this.objects.get(id);
    if (e) {
      e.seq = seq;
      if (full) e.fullSeq = seq;
      e.removed = removed;
    } else {
      this.objects.set(id, { seq, fullSeq: full ? seq : 0, removed });
    }
  }
}
