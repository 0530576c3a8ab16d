import { randomBytes } from 'node:crypto';

/**
 * Opaque page or delta tokens (random base64url, like Graph's: they say nothing about their
 * content) mapped to server-side state, with a lifetime, a bound on how many are kept (the oldest go
 * first, and then answer as expired) and an "expire everything" switch for tests.
 */
export class TokenStore<V> {
  private readonly entries = new Map<string, { value: V; createdAt: number; expired: boolean }>();

  /** `prefix` starts every token issued (default none): a store can keep clear of another's tokens on the same path. */
  constructor(private readonly now: () => number, private readonly ttlMs: number, private readonly max: number, private readonly prefix = '') {}

  get size(): number {
    return this.entries.size;
  }

  issue(value: V): string {
    const token = this.prefix + randomBytes(24).toString('base64url');
    this.entries.set(token, { value, createdAt: this.now(), expired: false });
    while (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value as string);
    return token;
  }

  /** The state behind a token, or undefined when it is unknown, dropped, expired or too old. */
  get(token: string): V | undefined {
    const e = this.entries.get(token);
    if (!e || e.expired || this.now() - e.createdAt > this.ttlMs) return undefined;
    return e.value;
  }

  delete(token: string): void {
    this.entries.delete(token);
  }

  expireAll(): void {
    for (const e of this.entries.values()) e.expired = true;
  }
}
