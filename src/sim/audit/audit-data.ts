import type { Tenant } from '../tenant/tenant.js';
import { mulberry32, type Rng } from '../tenant/prng.js';
import { randomAuditChanges } from './audit-changes.js';
import { auditStats, isListed, listedSummaries, type AuditStats } from './audit-truth.js';
import type { AddSignInsOptions, AuditGenOptions, AuditPagingOptions, SignInSpec, SignInSummary } from './audit-types.js';
import { drawSignIn, homeOf } from './draw-sign-in.js';
import { generateAudit } from './generate-audit.js';
import { ceilUs, floorUs, parseInstant, US_PER_MS } from './graph-time.js';
import { renderSignIn, type Actor, type SignIn } from './render-sign-in.js';
import { APPS, STATUSES, STATUS_OK } from './sign-in-catalog.js';
import { emptyActivity, recordInteractive, renderActivity, type ActivityRecord, type SignInActivity } from './sign-in-activity.js';
import { SignInStore, type SignInFields } from './sign-in-store.js';

export type { AuditGenOptions, AuditPagingOptions, SignInSpec, AddSignInsOptions, SignInSummary } from './audit-types.js';

const DAY_MS = 86_400_000;

/**
 * The simulated sign-in log and users' signInActivity. The log is append-only; an event is listed
 * only from its `visibleAt` on (sign-ins arrive late) and until it leaves the retention period
 * (30 days with P1/P2, https://learn.microsoft.com/entra/identity/monitoring-health/reference-reports-data-retention).
 * signInActivity is stored per user and updated at once by every attempt (the log's lag is not
 * applied to it).
 */
export class AuditData {
  store = new SignInStore(0x5161e);
  readonly actors: Actor[] = [];
  private readonly actorByUser = new Map<string, number>();
  private readonly homes: number[] = [];
  /** userId → signInActivity as stored on the user; absent = never signed in (null). */
  readonly activity = new Map<string, ActivityRecord>();
  premium = true;
  riskVisible = true;
  retentionDays = 30;
  failureRate = 0.07;
  slowArrivalRate = 0.1;
  readonly paging: AuditPagingOptions = { skipTokenTtlMs: 10 * 60_000, maxSkipTokens: 10_000 };
  /** Bumped by expireSkipTokens(): tokens issued before answer as expired. */
  tokenEpoch = 0;
  private rng: Rng = mulberry32(0xad0);
  private clock: (() => number) | undefined;

  constructor(readonly tenant: Tenant) {}

  /** Builds the initial log (populateAudit). Replaces whatever was there. */
  populate(o: AuditGenOptions, seed: number): void {
    this.store = new SignInStore((seed ^ 0x5161e) >>> 0);
    this.actors.length = 0;
    this.actorByUser.clear();
    this.homes.length = 0;
    this.activity.clear();
    this.rng = mulberry32((seed ^ 0xad0ad0) >>> 0);
    this.premium = o.premium ?? true;
    this.riskVisible = o.riskData ?? true;
    this.retentionDays = o.retentionDays ?? 30;
    this.failureRate = o.failureRate ?? 0.07;
    this.slowArrivalRate = o.slowArrivalRate ?? 0.1;
    if (o.enabled === false) return;
    generateAudit(this, o, o.now ?? Date.now(), mulberry32((seed ^ 0xa0d17) >>> 0));
  }

  /** The clock of the simulated Graph serving this tenant (createAuditResource attaches it). */
  attachClock(now: () => number): void {
    this.clock = now;
  }

  /** The attached clock's time, else Date.now(). */
  now(): number {
    return this.clock ? this.clock() : Date.now();
  }

  setPremium(on: boolean): void {
    this.premium = on;
  }

  /** Every nextLink handed out so far (sign-ins and users' signInActivity) answers as expired. */
  expireSkipTokens(): void {
    this.tokenEpoch++;
  }

  retentionMs(): number {
    return this.retentionDays * DAY_MS;
  }

  /** The actor row of a user as they are now (a new row when their name changed since). */
  actorOf(userId: string): number {
    const u = this.tenant.users.get(userId);
    if (!u) throw new Error(`no user ${userId}`);
    const displayName = (u.props.displayName as string | null | undefined) ?? null;
    const upn = (u.props.userPrincipalName as string | null | undefined) ?? null;
    const known = this.actorByUser.get(userId);
    if (known !== undefined) {
      const a = this.actors[known] as Actor;
      if (a.displayName === displayName && a.userPrincipalName === upn) return known;
    }
    const idx = this.actors.length;
    this.actors.push({ userId, displayName, userPrincipalName: upn });
    this.homes.push(homeOf(userId));
    this.actorByUser.set(userId, idx);
    return idx;
  }

  /** Draws the details of one event of a user (catalog choices, status) at the given times. */
  draw(rng: Rng, userId: string, createdUs: number, visibleMs: number): SignInFields {
    const actor = this.actorOf(userId);
    const disabled = this.tenant.users.get(userId)?.props.accountEnabled === false;
    return drawSignIn(rng, { failureRate: this.failureRate }, { actor, home: this.homes[actor] as number, disabled }, createdUs, visibleMs);
  }

  /** Appends an event and records it in its user's signInActivity. Returns its row. */
  append(f: SignInFields, overrides?: Record<string, unknown>): number {
    const row = this.store.add(f);
    if (overrides && Object.keys(overrides).length > 0) this.store.overrides.set(row, overrides);
    const userId = (this.actors[f.actor] as Actor).userId;
    let rec = this.activity.get(userId);
    if (!rec) this.activity.set(userId, (rec = emptyActivity()));
    recordInteractive(rec, f.createdUs, this.store.idOf(row), f.status === STATUS_OK);
    return row;
  }

  // ---- test helpers ---------------------------------------------------------------------------

  /** Adds one event (by default created now and visible at once). Returns its id. */
  addSignIn(spec: SignInSpec = {}): string {
    const createdUs = toUs(spec.createdAt ?? this.now());
    const visibleMs = spec.visibleAt ?? Math.ceil(createdUs / US_PER_MS) + (spec.visibleAfterMs ?? 0);
    const f = this.draw(this.rng, spec.userId ?? this.randomLiveUser(), createdUs, visibleMs);
    if (spec.appId !== undefined) {
      const app = APPS.findIndex((a) => a.id === spec.appId);
      if (app < 0) throw new Error(`appId ${spec.appId} is not in the catalog`);
      f.app = app;
      f.resource = APPS[app]!.resources[0] as number;
    }
    if (spec.errorCode !== undefined) {
      const st = STATUSES.findIndex((s) => s.errorCode === spec.errorCode);
      if (st < 0) throw new Error(`errorCode ${spec.errorCode} is not in the catalog`);
      f.status = st;
    }
    const row = this.append(f, { ...(spec.props ?? {}), ...(spec.id !== undefined ? { id: spec.id } : {}) });
    return this.store.idOf(row);
  }

  /** Adds n events, the first at createdAt and each next one stepMs older. Returns their ids. */
  addSignIns(n: number, o: AddSignInsOptions = {}): string[] {
    const first = toUs(o.createdAt ?? this.now());
    const step = (o.stepMs ?? 1000) * US_PER_MS;
    const live = o.userId === undefined ? this.liveUserIds() : [];
    const ids: string[] = [];
    for (let k = 0; k < n; k++) {
      const userId = o.userId ?? this.pickUser(live);
      ids.push(this.addSignIn({ createdAt: (first - k * step) / US_PER_MS, visibleAfterMs: o.visibleAfterMs ?? 0, userId }));
    }
    return ids;
  }

  private liveUserIds(): string[] {
    const live: string[] = [];
    for (const u of this.tenant.users.values()) if (u.state === 'live') live.push(u.id);
    return live;
  }

  private pickUser(live: string[]): string {
    if (live.length === 0) throw new Error('the tenant has no live user to sign in');
    return this.rng.pick(live);
  }

  private randomLiveUser(): string {
    return this.pickUser(this.liveUserIds());
  }

  // ---- truth ----------------------------------------------------------------------------------

  /** Whether an event (row) is listed at `now`. */
  isListed(row: number, now: number): boolean {
    return isListed(this, row, now);
  }

  /**
   * The events a complete pull at `now` sees (visible, within retention), any order; with a window,
   * only those created within it (bounds inclusive, ms or ISO-8601, as a `ge`/`le` filter).
   */
  visibleSignIns(now: number = this.now(), window: { from?: number | string; to?: number | string } = {}): SignInSummary[] {
    const from = window.from === undefined ? -Infinity : toUs(window.from, 'ceil');
    const to = window.to === undefined ? Infinity : toUs(window.to, 'floor');
    return listedSummaries(this, now, from, to);
  }

  /** Streams the full events listed at `now`, as the API renders them, any order. */
  forEachVisibleSignIn(now: number, fn: (s: SignIn) => void): void {
    for (let i = 0; i < this.store.size; i++) if (isListed(this, i, now)) fn(this.render(i));
  }

  render(row: number): SignIn {
    return renderSignIn(this.store, this.actors, row, this.riskVisible);
  }

  /** signInActivity of a live user (null: never signed in); undefined for anyone else. */
  signInActivity(userId: string): SignInActivity | null | undefined {
    if (this.tenant.users.get(userId)?.state !== 'live') return undefined;
    return renderActivity(this.activity.get(userId));
  }

  /** userId → signInActivity for every live user. */
  signInActivityTruth(): Map<string, SignInActivity | null> {
    const out = new Map<string, SignInActivity | null>();
    for (const u of this.tenant.users.values()) if (u.state === 'live') out.set(u.id, renderActivity(this.activity.get(u.id)));
    return out;
  }

  stats(now: number = this.now()): AuditStats {
    return auditStats(this, now);
  }

  /**
   * New sign-ins around `at` (some created hours earlier and still arriving) and non-interactive
   * updates of some users' signInActivity (audit-changes.ts). Deterministic for a seed and a state.
   */
  randomChanges(fraction: number, seed: number, at: number = this.now()): Record<string, number> {
    return randomAuditChanges(this, fraction, mulberry32(seed >>> 0), at);
  }
}

/** ms since the epoch or an ISO-8601 literal → µs (an ISO literal finer than 1 µs is rounded as said). */
function toUs(t: number | string, round: 'floor' | 'ceil' = 'floor'): number {
  if (typeof t === 'number') return Math.round(t * US_PER_MS);
  const inst = parseInstant(t);
  if (!inst) throw new Error(`not an ISO-8601 date-time: ${t}`);
  return round === 'ceil' ? ceilUs(inst) : floorUs(inst);
}

export function populateAudit(t: Tenant, o: AuditGenOptions | undefined, seed: number): void {
  t.audit.populate(o ?? {}, seed);
}
