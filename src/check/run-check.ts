import type { Config } from '../config/config.js';
import type { TokenSource } from '../auth/token-source.js';
import { createTokenSource } from '../auth/index.js';
import { EntraExtractError } from '../errors/index.js';
import { createGraphTransport, type RetryOptions, type TransportEvent } from '../graph/index.js';
import type { Connector } from '../pull/connector.js';
import { selectConnectors } from '../pull/run-pull.js';
import { CONNECTORS } from '../../connectors/index.js';
import type { CheckError, CheckReport, CheckSetup, CollectionCheck } from './check-report.js';
import { extraPermissions } from './extra-permissions.js';
import { fixInstructions } from './fix-instructions.js';
import { permissionsToGrant } from './grant-plan.js';
import { graphPermissionId } from './graph-permission-ids.js';
import { judgeCollection } from './judge-collection.js';
import { probeRequest, type ProbeContext } from './probe-request.js';
import { recommendPermissions } from './recommend.js';
import { evaluateNeeds, type NeedStatus } from './requirements.js';
import { runProbe, type ProbeResult } from './run-probe.js';
import { listingSubCollections, probeListing } from './probe-listing.js';
import { judgeListing } from './judge-listing.js';
import { readTokenClaims } from './token-claims.js';

/** The longest Retry-After a probe waits out: a check is interactive, a pull waits 10 minutes. */
export const DEFAULT_CHECK_MAX_WAIT_MS = 60_000;

/** Retries after 429s a probe makes (a pull makes 30): a probe still throttled after these reads as throttled. */
export const DEFAULT_CHECK_THROTTLED_RETRIES = 3;

export interface CheckOptions {
  config: Readonly<Config>;
  /** Collection names to check (CONTRACT.md section 3); default every collection of this build. */
  only?: readonly string[];
  /** Every collection this build pulls (default: the connectors/ registry). */
  registry?: readonly Connector[];
  /** Injected in tests; default a token source built from the config. */
  tokenSource?: TokenSource;
  retry?: RetryOptions;
  /** Requests in flight at once (default: the transport's, 4). */
  concurrency?: number;
  signal?: AbortSignal;
  onTransportEvent?: (event: TransportEvent) => void;
}

/**
 * Can this app registration pull everything, and if not, what exactly to do: gets a token the way
 * a pull does, reads its claims, probes every checked collection with the request its pull makes
 * first (made cheap, all in parallel through one transport), weighs the answers against what the
 * connectors declare, and recommends the smallest least-privileged set of permissions. Opens no
 * database and writes nothing. Throws only for a usage error (an unknown collection) or a
 * configuration error (e.g. an unreadable certificate); a failed sign-in is part of the report.
 */
export async function runCheck(o: CheckOptions): Promise<CheckReport> {
  const started = Date.now();
  const registry = o.registry ?? CONNECTORS;
  const checked = selectConnectors(o.only, registry);
  const setup = describeSetup(o.config);
  const tokenSource = o.tokenSource ?? createTokenSource(o.config);

  let claims;
  try {
    claims = readTokenClaims(await tokenSource.getToken());
  } catch (error) {
    return noToken(setup, error, started);
  }
  const held = new Set(claims.roles);
  const appId = o.config.clientId ?? claims.appId;

  const transport = createGraphTransport({
    graphEndpoint: o.config.graphEndpoint,
    tokenSource,
    concurrency: o.concurrency,
    retry: { maxWaitMs: DEFAULT_CHECK_MAX_WAIT_MS, maxThrottledRetries: DEFAULT_CHECK_THROTTLED_RETRIES, ...o.retry },
    onEvent: o.onTransportEvent,
    signal: o.signal,
  });
  const ctx: ProbeContext = { grantedRoles: held, runStartedAt: started, ...(claims.tenantId ? { tenantId: claims.tenantId } : {}), ...(appId ? { appId } : {}) };
  const [probes, listings] = await Promise.all([
    Promise.all(checked.map((c): Promise<ProbeResult | null> => {
      const request = probeRequest(c, ctx);
      return request ? runProbe(transport, request) : Promise.resolve(null);
    })),
    Promise.all(checked.map((c) => probeListing(transport, c, ctx))),
  ]);

  const recommendation = recommendPermissions(checked, registry, held);
  const extra = extraPermissions(held, registry);
  const judged = checked.map((c, i) => {
    const needs = evaluateNeeds(c, held);
    const judgement = judgeCollection(needs, probes[i]!);
    // A collection that cannot be pulled says why; how its full rounds would read is beside the point.
    if (judgement.verdict !== 'failed') {
      const listing = judgeListing(listings[i]!, listingSubCollections(c));
      judgement.messages.push(...listing.messages);
      if (listing.warn) judgement.verdict = 'warning';
    }
    return { connector: c, needs, probe: probes[i]!, listing: listings[i]!, judgement };
  });
  const collections: CollectionCheck[] = judged.map(({ connector, needs, probe, listing, judgement }) => ({
    collection: connector.name,
    verdict: judgement.verdict,
    needs: needs.map((n) => withId(n)),
    probe,
    listing,
    messages: judgement.messages,
  }));

  const warnings: string[] = [];
  const notes: string[] = [];
  if (!claims.hasRolesClaim) {
    warnings.push(
      'The access token has no roles claim: no Microsoft Graph application permission has admin consent for this app (or none was added). ' +
        'A token is still issued without consent, but Graph refuses the calls. See "How to fix".',
    );
  }
  if (extra.write.length > 0) {
    warnings.push(`The app holds write permissions: ${extra.write.join(', ')}. This tool only reads; grant the recommended read permissions and remove these (a leaked credential could change the tenant).`);
  }
  if (extra.notNeeded.length > 0) warnings.push(`The app holds permissions this tool does not use: ${extra.notNeeded.join(', ')}.`);
  if (recommendation.redundant.length > 0) {
    notes.push(
      `Held permissions the recommended set makes redundant${o.only?.length ? ' (for the collections checked)' : ''}: ${recommendation.redundant.join(', ')}. ` +
        'The recommended set already grants what they give; they can go once it is granted.',
    );
  }
  for (const { connector, judgement } of judged) {
    if (judgement.verdict === 'warning') warnings.push(`${connector.name}: ${judgement.messages.join('; ')}`);
  }
  if (judged.some((j) => j.judgement.disagrees)) {
    notes.push(
      "Where Graph's answer and the token's roles claim disagree, the probe wins: Graph decides each call, and a consent granted or removed can take minutes to reach new tokens (hours for a managed identity).",
    );
  }

  const failed = judged.filter((j) => j.judgement.verdict === 'failed');
  const remove = [...new Set([...extra.write, ...extra.notNeeded])].sort();
  const keep = new Set([...held].filter((p) => !remove.includes(p)));
  const grant = permissionsToGrant(judged.map((j) => ({ collection: j.connector.name, needs: j.needs, judgement: j.judgement })), recommendation, keep);
  const fix = fixInstructions(
    {
      auth: o.config.auth.method, cloud: o.config.cloud, graphEndpoint: o.config.graphEndpoint,
      ...(appId ? { appId } : {}), ...(claims.servicePrincipalId ? { servicePrincipalId: claims.servicePrincipalId } : {}),
    },
    grant,
    { reconsent: failed.some((j) => j.judgement.reconsent), remove },
  );
  return {
    ok: failed.length === 0,
    outcome: failed.length === 0 ? 'ok' : 'cannot-pull',
    setup,
    token: {
      acquired: true,
      ...(claims.tenantId ? { tenantId: claims.tenantId } : {}),
      ...(claims.appId ? { appId: claims.appId } : {}),
      ...(claims.servicePrincipalId ? { servicePrincipalId: claims.servicePrincipalId } : {}),
      hasRolesClaim: claims.hasRolesClaim,
      roles: claims.roles,
    },
    collections,
    extra,
    recommendation,
    fix,
    warnings,
    notes,
    durationMs: Date.now() - started,
  };
}

function withId(n: NeedStatus): NeedStatus & { id?: string } {
  const id = graphPermissionId(n.permission);
  return id ? { ...n, id } : n;
}

export function describeSetup(config: Readonly<Config>): CheckSetup {
  const auth = config.auth;
  const credentialDescription =
    auth.method === 'secret' ? 'client secret'
      : auth.method === 'certificate' ? `certificate (${auth.certificatePath})`
        : auth.method === 'workload-identity' ? `workload identity (federated token file ${auth.federatedTokenFile})`
          : config.clientId ? `managed identity (user-assigned, client id ${config.clientId})` : 'managed identity (system-assigned)';
  return {
    tenant: config.tenantId,
    cloud: config.cloud,
    graphEndpoint: config.graphEndpoint,
    authorityHost: config.authorityHost,
    credential: auth.method,
    credentialDescription,
    ...(config.clientId ? { clientId: config.clientId } : {}),
  };
}

function noToken(setup: CheckSetup, error: unknown, started: number): CheckReport {
  return {
    ok: false,
    outcome: 'no-token',
    setup,
    token: { acquired: false, error: describe(error) },
    collections: [],
    extra: { notNeeded: [], write: [] },
    recommendation: null,
    fix: null,
    warnings: [],
    notes: [],
    durationMs: Date.now() - started,
  };
}

/** The error in an administrator's words (explain-auth-error.ts built them without any secret). */
function describe(error: unknown): CheckError {
  if (error instanceof EntraExtractError) {
    return { code: error.code, message: error.message, ...(error.suggestion ? { suggestion: error.suggestion } : {}), ...(error.request ? { request: error.request } : {}) };
  }
  return { code: 'AUTH_FAILED', message: error instanceof Error ? error.message : String(error) };
}
