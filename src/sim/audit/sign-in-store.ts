import { hashGuid } from './hash-guid.js';

/** The stored fields of one sign-in: numbers and indices into the catalogs (sign-in-catalog.ts). */
export interface SignInFields {
  /** createdDateTime, µs since the epoch. */
  createdUs: number;
  /** When the event becomes visible through the API (ms since the epoch). */
  visibleMs: number;
  /** Index into the actor table (the user as they were at sign-in time). */
  actor: number;
  app: number;
  resource: number;
  /** IPv4 address as an unsigned 32-bit number. */
  ip: number;
  client: number;
  status: number;
  ca: number;
  device: number;
  location: number;
  risk: number;
}

/** Where a page of a chain resumes: after the event with this (createdDateTime, id). */
export interface Cursor {
  us: number;
  id: string;
}

/**
 * The sign-in log in columns (typed arrays), one row per event, rows never change once added.
 * Memory is about 40 bytes an event; ids are derived from the row index (hash-guid.ts) unless an
 * event was added with an id of its own.
 *
 * The API order is newest first (descending createdDateTime, https://learn.microsoft.com/graph/api/signin-list),
 * ties by id ascending; `order` holds the rows in that order and is extended lazily by merging.
 */
export class SignInStore {
  size = 0;
  createdUs: Float64Array;
  visibleMs: Float64Array;
  actor: Int32Array;
  ip: Uint32Array;
  app: Uint8Array;
  resource: Uint8Array;
  client: Uint8Array;
  status: Uint8Array;
  ca: Uint8Array;
  device: Uint8Array;
  location: Uint8Array;
  risk: Uint8Array;
  /** Extra or replaced properties of a few events (added by tests), merged when rendered. */
  readonly overrides = new Map<number, Record<string, unknown>>();
  private order = new Int32Array(0);
  private ordered = 0;

  constructor(private readonly salt: number, capacity = 1024) {
    const c = Math.max(16, capacity);
    this.createdUs = new Float64Array(c);
    this.visibleMs = new Float64Array(c);
    this.actor = new Int32Array(c);
    this.ip = new Uint32Array(c);
    this.app = new Uint8Array(c);
    this.resource = new Uint8Array(c);
    this.client = new Uint8Array(c);
    this.status = new Uint8Array(c);
    this.ca = new Uint8Array(c);
    this.device = new Uint8Array(c);
    this.location = new Uint8Array(c);
    this.risk = new Uint8Array(c);
  }

  /** Makes room for n more rows at once (generation). */
  reserve(n: number): void {
    const need = this.size + n;
    if (need <= this.createdUs.length) return;
    let c = this.createdUs.length;
    while (c < need) c *= 2;
    const grow = <T extends Float64Array | Int32Array | Uint32Array | Uint8Array>(a: T, make: (n: number) => T): T => {
      const b = make(c);
      b.set(a);
      return b;
    };
    this.createdUs = grow(this.createdUs, (k) => new Float64Array(k));
    this.visibleMs = grow(this.visibleMs, (k) => new Float64Array(k));
    this.actor = grow(this.actor, (k) => new Int32Array(k));
    this.ip = grow(this.ip, (k) => new Uint32Array(k));
    this.app = grow(this.app, (k) => new Uint8Array(k));
    this.resource = grow(this.resource, (k) => new Uint8Array(k));
    this.client = grow(this.client, (k) => new Uint8Array(k));
    this.status = grow(this.status, (k) => new Uint8Array(k));
    this.ca = grow(this.ca, (k) => new Uint8Array(k));
    this.device = grow(this.device, (k) => new Uint8Array(k));
    this.location = grow(this.location, (k) => new Uint8Array(k));
    this.risk = grow(this.risk, (k) => new Uint8Array(k));
  }

  add(f: SignInFields): number {
    if (this.size === this.createdUs.length) this.reserve(1);
    const i = this.size++;
    this.createdUs[i] = f.createdUs;
    this.visibleMs[i] = f.visibleMs;
    this.actor[i] = f.actor;
    this.ip[i] = f.ip >>> 0;
    this.app[i] = f.app;
    this.resource[i] = f.resource;
    this.client[i] = f.client;
    this.status[i] = f.status;
    this.ca[i] = f.ca;
    this.device[i] = f.device;
    this.location[i] = f.location;
    this.risk[i] = f.risk;
    return i;
  }

  idOf(i: number): string {
    const id = this.overrides.get(i)?.id;
    return typeof id === 'string' ? id : hashGuid(this.salt, i, 0);
  }

  correlationIdOf(i: number): string {
    return hashGuid(this.salt, i, 1);
  }

  /** Rows in API order (newest first, ties by id). Valid until the next add. */
  sorted(): Int32Array {
    if (this.ordered === this.size) return this.order.subarray(0, this.size);
    const fresh = new Int32Array(this.size - this.ordered);
    for (let k = 0; k < fresh.length; k++) fresh[k] = this.ordered + k;
    fresh.sort((a, b) => this.compare(a, b));
    const old = this.order.subarray(0, this.ordered);
    const merged = new Int32Array(this.size);
    let x = 0;
    let y = 0;
    let z = 0;
    while (x < old.length && y < fresh.length) {
      merged[z++] = this.compare(old[x] as number, fresh[y] as number) <= 0 ? (old[x++] as number) : (fresh[y++] as number);
    }
    while (x < old.length) merged[z++] = old[x++] as number;
    while (y < fresh.length) merged[z++] = fresh[y++] as number;
    this.order = merged;
    this.ordered = this.size;
    return merged;
  }

  /** Negative when row a comes before row b in API order. */
  compare(a: number, b: number): number {
    const d = (this.createdUs[b] as number) - (this.createdUs[a] as number);
    if (d !== 0) return d;
    const ia = this.idOf(a);
    const ib = this.idOf(b);
    return ia < ib ? -1 : ia > ib ? 1 : 0;
  }

  /** First position (in sorted()) whose event is not newer than us. */
  firstAtOrBefore(us: number): number {
    const order = this.sorted();
    let lo = 0;
    let hi = order.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.createdUs[order[mid] as number] as number) > us) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** First position after the cursor's event in API order. */
  positionAfter(c: Cursor): number {
    const order = this.sorted();
    let p = this.firstAtOrBefore(c.us);
    while (p < order.length && this.createdUs[order[p] as number] === c.us && this.idOf(order[p] as number) <= c.id) p++;
    return p;
  }
}
