import { graphError } from '../graph/graph-error.js';
import { listedObjectStart, memberJson, type MemberLookup } from '../graph/list-json.js';
import type { ListingOptions } from '../graph/list-options.js';
import { parseListQuery, type ListQuery } from '../graph/list-query.js';
import { parseMemberSelect } from '../graph/list-select.js';
import { LiveListings, type ListSource } from '../graph/live-listing.js';
import type { ResourceRequest } from '../graph/sim-resource.js';
import { sortedIds } from '../graph/sorted-ids.js';
import type { SimResponse } from '../sim-http.js';
import type { Rng } from '../tenant/prng.js';
import { parseDeltaSelect, type DeltaCollection } from './catalogs.js';
import type { DirectoryData } from './directory-data.js';
import type { TrackedRec } from './directory-types.js';
import { MEMBER_READ_HIDDEN, PERMISSIONS, allowed } from './permissions.js';

/** Which listing a path names (directory-resource.ts matches the paths). */
export type DirectoryListing =
  | { kind: 'units'; path: string }
  | { kind: 'unitMembers'; path: string; id: string }
  | { kind: 'roles' }
  | { kind: 'roleMembers'; id?: string; templateId?: string };

const NOT_FOUND = (key: string) => `Resource '${key}' does not exist or one of its queried reference-property objects are not present.`;

/**
 * The plain listings of administrative units and directory roles, and of their members:
 *   GET /administrativeUnits, /directory/administrativeUnits            $select, $top; paged (administrativeunit-list)
 *   GET /[directory/]administrativeUnits/{id}/members                    $select, $top; paged (administrativeunit-list-members)
 *   GET /directoryRoles                                                  $select; one page (directoryrole-list)
 *   GET /directoryRoles/{id}/members, /directoryRoles(roleTemplateId='…')/members
 *                                                                        $select; one page of at most 1,000 (directoryrole-list-members)
 * Permissions as the delta of the same collection (checked by the caller). Pages of the paged ones
 * come from the state when served (LiveListings); live objects and live members only.
 */
export class DirectoryListings {
  private readonly lists: LiveListings;
  private readonly lookup: MemberLookup;

  constructor(private readonly d: DirectoryData, private readonly o: Required<ListingOptions>, rng: Rng, now: () => number, ttlMs: number, maxTokens: number) {
    this.lists = new LiveListings(rng, now, ttlMs, maxTokens, o);
    this.lookup = {
      typeOf: (id) => d.typeOf(id),
      props: (id) => (d.tenant.users.get(id) ?? d.tenant.groups.get(id))?.props,
      displayName: (id) => d.displayNameOf(id),
    };
  }

  expireSkipTokens(): void {
    this.lists.expireAll();
  }

  serve(r: ResourceRequest, l: DirectoryListing): SimResponse {
    const paged = l.kind === 'units' || l.kind === 'unitMembers';
    // Roles and role members do not page: "doesn't support pagination using $top" (directoryrole-list-members).
    const what = l.kind === 'units' ? 'administrative units' : l.kind === 'unitMembers' ? 'the members of an administrative unit'
      : l.kind === 'roles' ? 'directory roles' : 'the members of a directory role';
    const parsed = parseListQuery(r.req, r.ctx, paged ? ['$select', '$top'] : ['$select'], this.o, what);
    if (!parsed.ok) return parsed.error;
    const query = parsed.query;
    if (!paged && query.skiptoken !== null) {
      return graphError(400, 'Request_BadRequest', `Query option '$skiptoken' is not supported for ${what}: they do not page.`, r.ctx);
    }
    switch (l.kind) {
      case 'units': return this.objects(r, query, 'administrativeUnits', l.path.toLowerCase().startsWith('/directory/') ? 'directory/administrativeUnits' : 'administrativeUnits');
      case 'roles': return this.objects(r, query, 'directoryRoles', 'directoryRoles');
      case 'unitMembers': return this.unitMembers(r, query, l.id);
      case 'roleMembers': return this.roleMembers(r, query, l);
    }
  }

  /** The live units or roles with the selected properties (`members` is not a property of a plain list). */
  private objects(r: ResourceRequest, query: ListQuery, kind: DeltaCollection, context: string): SimResponse {
    const raw = query.params.get('$select') ?? null;
    const s = parseDeltaSelect(kind, raw);
    if (!s.ok) return graphError(400, 'Request_BadRequest', s.message, r.ctx);
    if (raw !== null && s.value.members) return graphError(400, 'Request_BadRequest', `'members' is a navigation property; list it from /${kind}/{id}/members.`, r.ctx);
    const store = kind === 'directoryRoles' ? this.d.roles.roles : this.d.units;
    const src: ListSource = {
      context: raw ? `${context}(${raw})` : context,
      ids: sortedIds(store.recs, this.d.clock.seq),
      listed: (id) => store.isLive(id),
      render: (id) => `${listedObjectStart('', id, store.get(id)!.props, s.value.props)}}`,
    };
    return kind === 'directoryRoles' ? this.lists.single(r.req, src) : this.page(r, query, src);
  }

  /**
   * A live unit's live members. A unit with hidden membership answers 403 unless the token also holds
   * Member.Read.Hidden (https://learn.microsoft.com/graph/api/administrativeunit-list-members), the same
   * rule under which its delta leaves out members@delta.
   */
  private unitMembers(r: ResourceRequest, query: ListQuery, id: string): SimResponse {
    const sel = parseMemberSelect(query.params.get('$select') ?? null);
    if (!sel.ok) return graphError(sel.status, sel.code, sel.message, r.ctx);
    const unit = this.d.units.get(id);
    if (!unit || unit.state !== 'live') return graphError(404, 'Request_ResourceNotFound', NOT_FOUND(id), r.ctx);
    if (unit.props.visibility === 'HiddenMembership' && !r.roles.includes(MEMBER_READ_HIDDEN)) {
      return graphError(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.', r.ctx);
    }
    return this.page(r, query, this.membersOf(unit, sel.value));
  }

  /**
   * A live role's live members on one page without a nextLink, the first `roleMembersCap` (1,000) in
   * id order: "It returns a default of 1,000 objects and doesn't support pagination using $top"
   * (https://learn.microsoft.com/graph/api/directoryrole-list-members). A client sees exactly 1,000
   * and cannot tell whether there are more.
   */
  private roleMembers(r: ResourceRequest, query: ListQuery, l: { id?: string; templateId?: string }): SimResponse {
    const sel = parseMemberSelect(query.params.get('$select') ?? null);
    if (!sel.ok) return graphError(sel.status, sel.code, sel.message, r.ctx);
    const roles = this.d.roles;
    const id = l.id ?? (l.templateId !== undefined ? roles.roleOfTemplate(l.templateId.toLowerCase()) : undefined);
    const role = id === undefined ? undefined : roles.roles.get(id);
    if (!role || role.state !== 'live') return graphError(404, 'Request_ResourceNotFound', NOT_FOUND(l.id ?? l.templateId ?? ''), r.ctx);
    return this.lists.single(r.req, this.membersOf(role, sel.value), this.o.roleMembersCap);
  }

  private membersOf(rec: TrackedRec, sel: Parameters<typeof memberJson>[2]): ListSource {
    return {
      context: 'directoryObjects',
      ids: sortedIds(rec.links, this.d.clock.seq),
      listed: (m) => this.d.isLive(m),
      render: (m) => memberJson(this.lookup, m, sel),
    };
  }

  private page(r: ResourceRequest, query: ListQuery, src: ListSource): SimResponse {
    const at = this.lists.resume(r.req, query, r.ctx);
    return at.ok ? this.lists.page(r.req, query, at.after, src) : at.error;
  }
}

/** The permissions a listing needs: those of the matching delta endpoint. */
export function listingAllowed(roles: readonly string[], l: DirectoryListing): boolean {
  return allowed(roles, l.kind === 'units' || l.kind === 'unitMembers' ? PERMISSIONS.administrativeUnits : PERMISSIONS.directoryRoles);
}
