import type { Rng } from '../tenant/prng.js';
import type { DirectoryData } from './directory-data.js';
import { iso, passwordCredential } from './object-builders.js';

/**
 * One random update of a service principal or an application, of the kinds an access review cares
 * about: a credential added or removed, a credential's expiry moved, accountEnabled toggled (a
 * service principal) or a rename (an application), a property cleared to null or set again, an app
 * role added or removed. Returns the kind, or null when nothing changed.
 */
export function randomAppUpdate(d: DirectoryData, rng: Rng, target: { kind: 'sp' | 'app'; id: string }): string | null {
  const reg = d.registry;
  const store = target.kind === 'sp' ? reg.sps : reg.apps;
  const rec = store.get(target.id);
  if (!rec || rec.state !== 'live') return null;
  const update = (patch: Record<string, unknown>): boolean => store.update(target.id, patch).length > 0;
  const creds = (rec.props.passwordCredentials as Record<string, unknown>[] | null) ?? [];
  const r = rng.next();
  if (r < 0.22) {
    return update({ passwordCredentials: [...creds, passwordCredential(rng, d.referenceTime)] }) ? 'credentialAdded' : null;
  }
  if (r < 0.36) {
    const keys = (rec.props.keyCredentials as Record<string, unknown>[] | null) ?? [];
    if (creds.length > 0) return update({ passwordCredentials: creds.filter((_, i) => i !== rng.int(0, creds.length - 1)) }) ? 'credentialRemoved' : null;
    if (keys.length > 0) return update({ keyCredentials: keys.slice(1) }) ? 'credentialRemoved' : null;
    return null;
  }
  if (r < 0.5) {
    if (creds.length === 0) return null;
    const i = rng.int(0, creds.length - 1);
    const end = iso(d.referenceTime + rng.int(-60, 60) * 86_400_000);
    return update({ passwordCredentials: creds.map((c, k) => (k === i ? { ...c, endDateTime: end } : c)) }) ? 'credentialExpiryChanged' : null;
  }
  if (r < 0.64) {
    if (target.kind === 'sp') return update({ accountEnabled: rec.props.accountEnabled !== true }) ? 'accountEnabledToggled' : null;
    return update({ displayName: `${String(rec.props.displayName).replace(/ \(renamed.*\)$/, '')} (renamed ${rng.int(1, 999)})` }) ? 'applicationRenamed' : null;
  }
  if (r < 0.8) {
    // A scalar the review shows that can be cleared (Graph then sends null) and set again later.
    const name = target.kind === 'sp' ? 'description' : 'publisherDomain';
    if (rec.props[name] === null) return update({ [name]: target.kind === 'sp' ? 'Contoso' : 'contoso.example' }) ? 'propertySetAgain' : null;
    return update({ [name]: null }) ? 'propertyCleared' : null;
  }
  // App roles live on the service principal (and its registration): pick the service principal.
  const spId = target.kind === 'sp' ? target.id : reg.spOfAppId(rec.props.appId as string);
  if (!spId || !reg.sps.isLive(spId) || reg.protectedSps.has(spId) || reg.sps.get(spId)!.props.servicePrincipalType !== 'Application') return null;
  const roles = reg.appRoles(spId);
  if (roles.length > 0 && rng.chance(0.4)) {
    d.removeAppRole(spId, rng.pick(roles).id);
    return 'appRoleRemoved';
  }
  d.addAppRole(spId);
  return 'appRoleAdded';
}
