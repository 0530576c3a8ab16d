import type { Statement } from 'better-sqlite3';
import type { Db } from '../store/index.js';
import type { IdentityRef, SignIn } from './report-findings.js';

export interface ServicePrincipalFacts {
  id: string;
  name: string | null;
  appId: string | null;
  enabled: boolean | null;
  type: string | null;
  ownerTenant: string | null;
}

export interface GroupFacts {
  id: string;
  name: string | null;
  /** isAssignableToRole: only such groups can hold directory roles. */
  assignable: boolean;
  /** False for a group that has no live row (its id seen in a link only). */
  known: boolean;
}

/** What a row names a user by: read by primary key when a finding lists the user. */
interface UserDetails {
  name: string | null;
  upn: string | null;
  userType: string | null;
  externalUserState: string | null;
  /** null when the user row has no signInActivity at all (not pulled): unknown, not "never". */
  signIn: SignIn | null;
}

/** Graph writes a sign-in that never happened as 0001-01-01T00:00:00Z (user-list, "signInActivity"). */
const NEVER = /^0001-01-01/;
const when = (v: unknown): string | null => (typeof v === 'string' && v !== '' && !NEVER.test(v) ? v : null);
const bool = (v: unknown): boolean | null => (v === 1 || v === true ? true : v === 0 || v === false ? false : null);
const text = (v: unknown): string | null => (typeof v === 'string' ? v : null);

const MEMBER = 1;
const GUEST = 2;
const OTHER = 3;

/**
 * The live users, service principals and groups. Users are held column by column (ids, and as
 * numbers whether enabled, guest, and the last successful sign-in), because a large tenant has a
 * hundred thousand of them and only a few are listed: the names, UPN and sign-in times of a listed
 * user are read by primary key when a finding names it. Users are slots 0..userCount-1 and service
 * principals the slots after them (see `slotOf`).
 */
export class Identities {
  readonly userCount: number;
  readonly servicePrincipals: ServicePrincipalFacts[] = [];
  readonly groups: GroupFacts[] = [];
  private readonly userIds: string[] = [];
  private readonly userIndex = new Map<string, number>();
  private readonly enabled: Int8Array;
  private readonly userType: Uint8Array;
  /** The last successful sign-in (ms); NaN: never; see `activity` for unknown. */
  private readonly lastSuccess: Float64Array;
  /** 1 when the user row has signInActivity (null included: never signed in), 0 when it has none. */
  private readonly activity: Uint8Array;
  private readonly leave = new Map<number, string>();
  private readonly spIndex = new Map<string, number>();
  private readonly groupIndex = new Map<string, number>();
  private readonly detailsOf: Statement;
  private readonly details = new Map<number, UserDetails>();

  constructor(db: Db) {
    const n = db.prepare("SELECT COUNT(*) FROM entities WHERE entity_type = 'user' AND deleted_at IS NULL").pluck().get() as number;
    this.enabled = new Int8Array(n);
    this.userType = new Uint8Array(n);
    this.lastSuccess = new Float64Array(n);
    this.activity = new Uint8Array(n);
    const users = db.prepare(
      `SELECT id, data ->> '$.accountEnabled', data ->> '$.userType', data ->> '$.employeeLeaveDateTime',
         json_type(data, '$.signInActivity'), data ->> '$.signInActivity.lastSuccessfulSignInDateTime'
       FROM entities WHERE entity_type = 'user' AND deleted_at IS NULL ORDER BY id`,
    );
    for (const r of users.raw().iterate() as Iterable<unknown[]>) {
      const slot = this.userIds.length;
      if (slot >= n) break;
      this.userIds.push(r[0] as string);
      this.userIndex.set(r[0] as string, slot);
      const on = bool(r[1]);
      this.enabled[slot] = on === null ? -1 : on ? 1 : 0;
      this.userType[slot] = r[2] === 'Member' ? MEMBER : typeof r[2] === 'string' && r[2].toLowerCase() === 'guest' ? GUEST : r[2] === null ? 0 : OTHER;
      const leave = when(r[3]);
      if (leave !== null) this.leave.set(slot, leave);
      // json_type is NULL when the property is missing and 'null' when Graph said null (never signed in).
      this.activity[slot] = r[4] === null ? 0 : 1;
      const last = when(r[5]);
      this.lastSuccess[slot] = last === null ? NaN : Date.parse(last);
    }
    this.userCount = this.userIds.length;
    const sps = db.prepare(
      `SELECT id, display_name, data ->> '$.appId', data ->> '$.accountEnabled', data ->> '$.servicePrincipalType', data ->> '$.appOwnerOrganizationId'
       FROM entities WHERE entity_type = 'servicePrincipal' AND deleted_at IS NULL ORDER BY id`,
    );
    for (const r of sps.raw().iterate() as Iterable<unknown[]>) {
      this.spIndex.set(r[0] as string, this.servicePrincipals.length);
      this.servicePrincipals.push({ id: r[0] as string, name: text(r[1]), appId: text(r[2]), enabled: bool(r[3]), type: text(r[4]), ownerTenant: text(r[5]) });
    }
    const groups = db.prepare("SELECT id, display_name, data ->> '$.isAssignableToRole' FROM entities WHERE entity_type = 'group' AND deleted_at IS NULL ORDER BY id");
    for (const r of groups.raw().iterate() as Iterable<unknown[]>) {
      this.groupIndex.set(r[0] as string, this.groups.length);
      this.groups.push({ id: r[0] as string, name: text(r[1]), assignable: r[2] === 1, known: true });
    }
    this.detailsOf = db.prepare(
      `SELECT display_name, data ->> '$.userPrincipalName', data ->> '$.userType', data ->> '$.externalUserState', json_type(data, '$.signInActivity'),
         data ->> '$.signInActivity.lastSuccessfulSignInDateTime', data ->> '$.signInActivity.lastSignInDateTime',
         data ->> '$.signInActivity.lastNonInteractiveSignInDateTime'
       FROM entities WHERE entity_type = 'user' AND id = ?`,
    ).raw();
  }

  /** Slots of identities that can hold access: users, then service principals. */
  get slots(): number {
    return this.userCount + this.servicePrincipals.length;
  }

  /** The slot of a live user or service principal; undefined for anything else. */
  slotOf(type: string, id: string): number | undefined {
    if (type === 'user') return this.userIndex.get(id);
    if (type === 'servicePrincipal') {
      const i = this.spIndex.get(id);
      return i === undefined ? undefined : this.userCount + i;
    }
    return undefined;
  }

  /** accountEnabled of a user or service principal; null when unknown. */
  enabledAt(slot: number): boolean | null {
    if (slot >= this.userCount) return this.servicePrincipals[slot - this.userCount]!.enabled;
    const e = this.enabled[slot]!;
    return e === -1 ? null : e === 1;
  }

  isGuest(slot: number): boolean {
    return slot < this.userCount && this.userType[slot] === GUEST;
  }

  /** Whether the user's row has sign-in activity at all (signInActivity pulled for it). */
  signInKnown(slot: number): boolean {
    return slot < this.userCount && this.activity[slot] === 1;
  }

  /** The last successful sign-in (ms), or null when never (or unknown: see signInKnown). */
  lastSuccessfulMs(slot: number): number | null {
    const v = slot < this.userCount ? this.lastSuccess[slot]! : NaN;
    return Number.isNaN(v) ? null : v;
  }

  leaveDateTime(slot: number): string | null {
    return this.leave.get(slot) ?? null;
  }

  /** The user's sign-in activity as stored (null: none recorded). */
  signInOf(slot: number): SignIn | null {
    return slot < this.userCount ? this.userDetails(slot).signIn : null;
  }

  externalUserStateOf(slot: number): string | null {
    return slot < this.userCount ? this.userDetails(slot).externalUserState : null;
  }

  private userDetails(slot: number): UserDetails {
    let d = this.details.get(slot);
    if (!d) {
      const r = (this.detailsOf.get(this.userIds[slot]) ?? []) as unknown[];
      d = {
        name: text(r[0]), upn: text(r[1]), userType: text(r[2]), externalUserState: text(r[3]),
        signIn: r[4] === null || r[4] === undefined ? null : { lastSuccessful: when(r[5]), lastInteractive: when(r[6]), lastNonInteractive: when(r[7]) },
      };
      this.details.set(slot, d);
    }
    return d;
  }

  refOfSlot(slot: number): IdentityRef {
    if (slot < this.userCount) {
      const d = this.userDetails(slot);
      return { type: 'user', id: this.userIds[slot]!, name: d.name, login: d.upn, enabled: this.enabledAt(slot), userType: d.userType };
    }
    const s = this.servicePrincipals[slot - this.userCount]!;
    return { type: 'servicePrincipal', id: s.id, name: s.name, login: s.appId, enabled: s.enabled, userType: null };
  }

  /** The type and id of a slot, without reading anything. */
  keyOfSlot(slot: number): { type: 'user' | 'servicePrincipal'; id: string } {
    return slot < this.userCount ? { type: 'user', id: this.userIds[slot]! } : { type: 'servicePrincipal', id: this.servicePrincipals[slot - this.userCount]!.id };
  }

  /** Any principal by type and id; one without a live row keeps its type and id, unnamed. */
  ref(type: string, id: string): IdentityRef {
    const slot = this.slotOf(type, id);
    if (slot !== undefined) return this.refOfSlot(slot);
    if (type === 'group') {
      const g = this.findGroup(id);
      return { type: 'group', id, name: g?.name ?? null, login: null, enabled: null, userType: null };
    }
    return { type: type === 'user' ? 'user' : 'servicePrincipal', id, name: null, login: null, enabled: null, userType: null };
  }

  /** The index of a group; a group seen only in a link (no live row) gets one too, unnamed. */
  groupSlot(id: string): number {
    let g = this.groupIndex.get(id);
    if (g === undefined) {
      g = this.groups.length;
      this.groupIndex.set(id, g);
      this.groups.push({ id, name: null, assignable: false, known: false });
    }
    return g;
  }

  findGroup(id: string): GroupFacts | undefined {
    const g = this.groupIndex.get(id);
    return g === undefined ? undefined : this.groups[g];
  }

  servicePrincipalByAppId(appId: string): ServicePrincipalFacts | undefined {
    return this.servicePrincipals.find((s) => s.appId === appId);
  }
}
