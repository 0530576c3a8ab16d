/**
 * The name under which the graph profile counts a plain listing: its path under /v1.0 without ids or
 * keys, `directory/` before administrativeUnits dropped (the same collection), e.g.
 * /v1.0/groups/{id}/members → groups/members, /v1.0/servicePrincipals(appId='…')/appRoleAssignedTo →
 * servicePrincipals/appRoleAssignedTo. Null for a delta function and for $batch.
 */
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function listKey(pathname: string): string | null {
  const path = pathname.replace(/^\/v1\.0\//i, '').replace(/\/+$/, '');
  if (path === '' || /^\$batch$/i.test(path) || /(?:^|\/)(?:microsoft\.graph\.)?delta(?:\(\))?$/i.test(path)) return null;
  const segments = path.split('/')
    .map((seg) => seg.replace(/\(.*\)$/, ''))
    .filter((seg) => seg !== '' && !GUID.test(seg));
  if (segments[0]?.toLowerCase() === 'directory' && segments[1]?.toLowerCase() === 'administrativeunits') segments.shift();
  return segments.length > 0 ? segments.join('/') : null;
}
