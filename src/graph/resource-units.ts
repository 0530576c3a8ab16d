/**
 * The documented resource-unit (RU) cost of one identity-and-access request (graph-facts 3.2,
 * https://learn.microsoft.com/graph/throttling-limits#identity-and-access-service-limits). Graph
 * throttles that scope with a token bucket of RU per application+tenant pair, so a client that paces
 * itself needs the same price list. The server's `x-ms-resource-unit` answer is the truth; this is
 * the estimate made before sending.
 */

/**
 * Base RU costs of GETs, paths relative to the version root, ids as any one segment. The doc prices
 * `me/...` and says the same applies to `users/{id|upn}/...`. Delta paths and `servicePrincipals`
 * are not listed, so they cost 1.
 */
const GET_COSTS: readonly [RegExp, number][] = [
  [/^\/applications\/?$/i, 2],
  [/^\/applications\/[^/]+\/extensionProperties\/?$/i, 2],
  [/^\/contracts\/?$/i, 3],
  [/^\/domains\/[^/]+\/domainNameReferences\/?$/i, 4],
  [/^\/groups\/[^/]+\/members\/?$/i, 3],
  [/^\/groups\/[^/]+\/transitiveMembers\/?$/i, 5],
  [/^\/(?:me|users\/[^/]+)\/licenseDetails\/?$/i, 2],
  [/^\/(?:me|users\/[^/]+)\/memberOf\/?$/i, 2],
  [/^\/(?:me|users\/[^/]+)\/ownedObjects\/?$/i, 2],
  [/^\/(?:me|users\/[^/]+)\/transitiveMemberOf\/?$/i, 2],
  [/^\/oauth2PermissionGrants(?:\/[^/]+)?\/?$/i, 2],
  [/^\/servicePrincipals\/[^/]+\/appRoleAssignments\/?$/i, 2],
  [/^\/subscribedSkus\/?$/i, 3],
  [/^\/users\/?$/i, 2],
];

/** Base RU costs of POST actions. `isMemberOf` is bound to several types, hence unanchored. */
const POST_COSTS: readonly [RegExp, number][] = [
  [/^\/directoryObjects\/getByIds\/?$/i, 3],
  [/^\/getObjectsById\/?$/i, 3],
  [/^\/(?:me|users\/[^/]+)\/checkMemberGroups\/?$/i, 4],
  [/^\/(?:me|users\/[^/]+)\/checkMemberObjects\/?$/i, 4],
  [/^\/(?:me|users\/[^/]+)\/getMemberGroups\/?$/i, 2],
  [/^\/(?:me|users\/[^/]+)\/getMemberObjects\/?$/i, 2],
  [/\/isMemberOf\/?$/i, 4],
];

const ABSOLUTE = /^[a-z][a-z\d+.-]*:/i;
const VERSION_ROOT = /^\/(?:v1\.0|beta)(?=\/|$)/i;
/** Only parsed for its path and query; never requested. */
const BASE = 'https://graph.invalid';

/**
 * The RU cost of `method url`: the base cost of the path (1 when the doc does not list it, and for
 * methods other than GET and POST, whose RU cost the doc does not give), then `$select` −1,
 * `$expand` +1, `$top` below 20 −1, never below 1.
 *
 * `url` is absolute (`https://graph.microsoft.com/v1.0/users?$select=id`, any host, `v1.0` or
 * `beta`) or relative to the version root (`/users?…`, `users?…`, as in a $batch item). Paths and
 * query keys compare case-insensitively, as Graph treats them.
 */
export function resourceUnitCost(method: string, url: string): number {
  const { pathname, searchParams } = ABSOLUTE.test(url) ? new URL(url) : new URL(`/${url.replace(/^\/+/, '')}`, BASE);
  const path = pathname.replace(VERSION_ROOT, '') || '/';
  const verb = method.toUpperCase();
  const table = verb === 'GET' ? GET_COSTS : verb === 'POST' ? POST_COSTS : [];
  let cost = table.find(([re]) => re.test(path))?.[1] ?? 1;

  const query = new Map<string, string>();
  for (const [key, value] of searchParams) query.set(key.toLowerCase(), value);
  if (query.has('$select')) cost -= 1;
  if (query.has('$expand')) cost += 1;
  const top = query.get('$top')?.trim();
  if (top && Number(top) < 20) cost -= 1;
  return Math.max(1, cost);
}
