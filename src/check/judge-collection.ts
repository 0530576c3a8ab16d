import type { CollectionVerdict } from './check-report.js';
import { graphPermissionId } from './graph-permission-ids.js';
import { essentialsGranted, type NeedStatus } from './requirements.js';
import type { ProbeResult } from './run-probe.js';

export interface CollectionJudgement {
  verdict: CollectionVerdict;
  messages: string[];
  /** Required or requiresAlso needs the token does not satisfy, when they stop the collection. */
  missing: NeedStatus[];
  /** Optional needs the token does not satisfy. */
  optionalMissing: NeedStatus[];
  /** The token holds what is needed but Graph refused: grant admin consent again. */
  reconsent: boolean;
  /** The probe and the roles claim disagree (either way). */
  disagrees: boolean;
}

const named = (n: NeedStatus) => {
  const id = graphPermissionId(n.permission);
  return `${n.permission}${id ? ` (id ${id})` : ''}`;
};
const orHigher = (n: NeedStatus) => (n.alsoAccepted.length > 0 ? `${named(n)}, or one of ${n.alsoAccepted.join(', ')}` : named(n));
const graphSaid = (p: ProbeResult) =>
  [p.httpStatus, p.code].filter((x) => x !== undefined).join(' ') + (p.requestId ? `, request-id ${p.requestId}` : '');

/**
 * Whether a collection can be pulled, from what its connector declares, what the token holds and
 * what Graph answered. The probe wins over the roles claim when they disagree: Graph decides, and a
 * consent change can take minutes to reach tokens.
 */
export function judgeCollection(needs: NeedStatus[], probe: ProbeResult | null): CollectionJudgement {
  const essentials = essentialsGranted(needs);
  const unmet = needs.filter((n) => n.kind !== 'optional' && n.grantedBy === null);
  const optionalMissing = needs.filter((n) => n.kind === 'optional' && n.grantedBy === null);
  const messages: string[] = [];
  const optionalWarnings = optionalMissing.map((n) => `without ${named(n)} it does not read ${n.widens ?? 'everything'} (optional)`);
  const held = needs.filter((n) => n.kind !== 'optional' && n.grantedBy !== null).map((n) => n.grantedBy!);
  const result = (verdict: CollectionVerdict, o: Partial<CollectionJudgement> = {}): CollectionJudgement => ({
    verdict, messages, missing: [], optionalMissing, reconsent: false, disagrees: false, ...o,
  });

  if (probe === null) {
    if (!essentials) {
      messages.push(...unmet.map((n) => `the token does not hold ${orHigher(n)}`));
      return result('failed', { missing: unmet });
    }
    messages.push(...optionalWarnings);
    return result(optionalMissing.length > 0 ? 'warning' : 'ok');
  }

  switch (probe.status) {
    case 'ok':
      if (probe.note) messages.push(probe.note);
      if (!essentials) {
        messages.push(
          `Graph allowed it although the token's roles claim holds none of ${unmet.map((n) => [n.permission, ...n.alsoAccepted].join(', ')).join('; ')}: ` +
            'the probe wins. The service principal may hold an Entra role (such as Directory Readers or Global Reader), or a permission this tool does not list.',
        );
      }
      messages.push(...optionalWarnings);
      return result(optionalMissing.length > 0 ? 'warning' : 'ok', { disagrees: !essentials });
    case 'premium':
      messages.push(`the tenant has no Microsoft Entra ID P1 or P2 license (Graph answered ${graphSaid(probe)}): pull records it as skipped, which is not a failure`);
      if (!essentials) {
        messages.push(...unmet.map((n) => `and the token does not hold ${orHigher(n)}: it will be needed once the tenant has P1/P2`));
        return result('failed', { missing: unmet });
      }
      messages.push(...optionalWarnings);
      return result('warning');
    case 'forbidden':
      if (essentials) {
        messages.push(
          `Graph refused (${graphSaid(probe)}) although the token holds ${held.join(', ')}: the probe wins. ` +
            'The permission may have been removed after this token was issued, a new consent can take minutes to reach tokens, or a Conditional Access policy for workload identities blocks the app.',
        );
        return result('failed', { reconsent: true, disagrees: true });
      }
      messages.push(...unmet.map((n) => `Graph refused (${graphSaid(probe)}): grant ${orHigher(n)}`));
      return result('failed', { missing: unmet });
    case 'throttled':
      messages.push(`Graph kept throttling the probe (${graphSaid(probe)}). ${probe.note ?? ''}`.trim());
      if (!essentials) messages.push(...unmet.map((n) => `the token does not hold ${orHigher(n)} either`));
      return result('failed', { missing: unmet });
    case 'error':
      messages.push(`the probe failed: ${probe.message ?? graphSaid(probe)}`);
      if (!essentials) messages.push(...unmet.map((n) => `the token does not hold ${orHigher(n)} either`));
      return result('failed', { missing: unmet });
  }
}
