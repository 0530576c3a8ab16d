import { randomBytes } from 'node:crypto';

interface Entry<S> {
  state: S;
  createdAt: number;
  epoch: number;
}

/**
 * Opaque `$skiptoken` values mapped to the server-side state of the next page. Bounded (the oldest
 * are dropped first, and then answer as unknown), each valid for a lifetime from its issue, and
 * all expired at once when the epoch moves on (AuditData.expireSkipTokens).
 */
export class PageTokens<S> {
  private readonly map = new Map<string, Entry<S>>();

  constructor(private readonly limits: () => { ttlMs: number; max: number; epoch: number }, private readonly prefix = '') {}

  issue(state: S, now: number): string {
    const tok = this.prefix + randomBytes(24).toString('hex');
    const { max, epoch } = this.limits();
    this.map.set(tok, { state, createdAt: now, epoch });
    while (this.map.size > Math.max(1, max)) this.map.delete(this.map.keys().next().value as string);
    return tok;
  }

  /** The state of a live token; undefined when unknown, dropped or expired. */
  get(tok: string, now: number): S | undefined {
    const e = this.map.get(tok);
    if (!e) return undefined;
    const { ttlMs, epoch } = this.limits();
    if (e.epoch !== epoch || now - e.createdAt > ttlMs) return undefined;
    return e.state;
  }

  owns(tok: string): boolean {
    return this.prefix !== '' && tok.startsWith(this.prefix);
  }

  get size(): number {
    return this.map.size;
  }
}
