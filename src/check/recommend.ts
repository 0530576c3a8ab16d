import type { Connector } from '../pull/connector.js';
import { graphPermissionId } from './graph-permission-ids.js';
import { acceptedBy, connectorNeeds, declaredPermissions, type Need } from './requirements.js';

export interface RecommendedPermission {
  permission: string;
  /** Its Microsoft Graph application permission id. */
  id?: string;
  /** Whether the token holds it. */
  held: boolean;
  /** The checked collections it satisfies (for optional ones: what it adds). */
  covers: string[];
}

export interface Recommendation {
  /** How the set was chosen, in words. */
  rule: string;
  /** The smallest least-privileged set that lets every checked collection be pulled. */
  permissions: RecommendedPermission[];
  /** Permissions that widen what is read, not covered by the set above. */
  optional: RecommendedPermission[];
  /** Permissions of the set (required and optional) the token does not hold. */
  missing: string[];
  /**
   * Held permissions that a checked collection names, but that the recommended set makes unnecessary
   * (once it is granted); a permission another collection of this tool names is never listed here.
   */
  redundant: string[];
}

export const RECOMMENDATION_RULE =
  "Candidates are each checked collection's least-privileged permission (its connector's `permission`, and the first of each " +
  '`requiresAlso`). The set is the smallest choice of candidates that satisfies every checked collection; between sets of ' +
  'the same size, the narrower one (its permissions satisfy fewer collections) wins. A broader permission is never picked ' +
  'to cover more collections with fewer grants (users and groups alone get User.Read.All and GroupMember.Read.All, not ' +
  "Directory.Read.All); but when a collection's own least permission is broad (oauth2PermissionGrants needs Directory.Read.All), " +
  'the collections it also satisfies need nothing more, since narrower grants beside it would not reduce what the app can ' +
  'read. Write permissions are never recommended: this tool only reads. Optional permissions (they widen what is read) are listed apart.';

interface Group {
  collection: string;
  need: Need;
  accepted: Set<string>;
}

/** Above this many candidates the exact search gives way to a greedy one (the registry has 8 today). */
const EXACT_LIMIT = 16;

/**
 * The recommended permissions for `checked` (a set cover over the connectors' declarations, see
 * RECOMMENDATION_RULE). `all` is every collection of this build: a held permission that an
 * unchecked collection names is not called redundant.
 */
export function recommendPermissions(checked: readonly Connector[], all: readonly Connector[], held: ReadonlySet<string>): Recommendation {
  const groups: Group[] = checked.flatMap((c) =>
    connectorNeeds(c).filter((n) => n.kind !== 'optional').map((need) => ({ collection: c.name, need, accepted: new Set(acceptedBy(need)) })));
  const candidates = [...new Set(groups.map((g) => g.need.permission))];
  const chosen = cover(candidates, groups);
  const entry = (permission: string, covers: string[]): RecommendedPermission => {
    const id = graphPermissionId(permission);
    return { permission, ...(id ? { id } : {}), held: held.has(permission), covers };
  };
  const permissions = chosen.map((p) => entry(p, unique(groups.filter((g) => g.accepted.has(p)).map((g) => g.collection))));

  const optional = new Map<string, string[]>();
  for (const c of checked) {
    for (const need of connectorNeeds(c).filter((n) => n.kind === 'optional')) {
      if (acceptedBy(need).some((p) => chosen.includes(p))) continue;
      optional.set(need.permission, [...(optional.get(need.permission) ?? []), `${c.name}: ${need.widens ?? 'more data'}`]);
    }
  }
  const optionalEntries = [...optional].map(([p, widens]) => entry(p, widens));
  const recommended = new Set([...chosen, ...optional.keys()]);
  const namedByChecked = declaredPermissions(checked);
  const namedByOthers = declaredPermissions(all.filter((c) => !checked.some((k) => k.name === c.name)));
  return {
    rule: RECOMMENDATION_RULE,
    permissions,
    optional: optionalEntries,
    missing: [...recommended].filter((p) => !held.has(p)),
    redundant: [...held].filter((p) => namedByChecked.has(p) && !recommended.has(p) && !namedByOthers.has(p)).sort(),
  };
}

/** The smallest subset of candidates meeting every group; ties go to the narrower subset, then candidate order. */
function cover(candidates: string[], groups: Group[]): string[] {
  const breadth = (p: string) => groups.filter((g) => g.accepted.has(p)).length;
  const covers = (set: string[]) => groups.every((g) => set.some((p) => g.accepted.has(p)));
  if (candidates.length > EXACT_LIMIT) return greedy(candidates, groups);
  let best: { set: string[]; breadth: number } | undefined;
  for (let mask = 1; mask < 1 << candidates.length; mask++) {
    const set = candidates.filter((_, i) => (mask & (1 << i)) !== 0);
    if (best && set.length > best.set.length) continue;
    if (!covers(set)) continue;
    const b = set.reduce((n, p) => n + breadth(p), 0);
    if (!best || set.length < best.set.length || b < best.breadth) best = { set, breadth: b };
  }
  return best?.set ?? [];
}

/** Each uncovered group in turn takes the candidate that covers most of the remaining groups. */
function greedy(candidates: string[], groups: Group[]): string[] {
  const chosen: string[] = [];
  let open = groups;
  while (open.length > 0) {
    const own = open[0]!.need.permission;
    const pick = candidates
      .filter((p) => open[0]!.accepted.has(p))
      .reduce((a, b) => (open.filter((g) => g.accepted.has(b)).length > open.filter((g) => g.accepted.has(a)).length ? b : a), own);
    chosen.push(pick);
    open = open.filter((g) => !g.accepted.has(pick));
  }
  return chosen;
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
