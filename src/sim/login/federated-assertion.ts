import { verifyRsa, type DecodedJwt } from './jwt.js';
import type { SimApp, SimOidcIssuer } from './login-sim-types.js';
import { TOKEN_EXCHANGE_AUDIENCE } from './federated-issuer.js';

export interface AssertionProblem {
  status: number;
  code: number;
  message: string;
}

const CHECK = 'Check your federated identity credential Subject, Audience and Issuer against the presented assertion. https://learn.microsoft.com/entra/workload-id/workload-identity-federation';

/**
 * Is this client assertion a token of an external issuer for a federated identity credential, rather
 * than the app's own certificate assertion (whose iss and sub are its client id)? An app without
 * federated credentials still gets the certificate answers for a stranger's assertion, unless the
 * simulation knows the issuer.
 */
export function isFederatedAssertion(jwt: DecodedJwt, app: SimApp, issuers: readonly SimOidcIssuer[]): boolean {
  const iss = jwt.claims.iss;
  if (iss === app.clientId) return false; // the app's own certificate assertion
  return (app.federatedCredentials ?? []).length > 0 || issuers.some((i) => i.issuer === iss);
}

/**
 * Matches a federated assertion against the app's federated identity credentials as Entra does for
 * workload identity federation: issuer, then the issuer's signature, the time range, the audience and
 * the subject (case-sensitive). The codes are those Entra answers:
 * AADSTS700211 no record for the issuer, AADSTS700212 for the audience, AADSTS700213 for the subject,
 * AADSTS7002138 a subject that matches only ignoring case, AADSTS700024 outside the time range,
 * AADSTS50166 the issuer's OIDC metadata cannot be fetched (here: an issuer the simulation has no key of),
 * AADSTS700027 a signature the issuer's key does not verify.
 * https://learn.microsoft.com/entra/workload-id/workload-identity-federation
 * https://learn.microsoft.com/entra/identity-platform/reference-breaking-changes (case-sensitive matching)
 */
export function checkFederatedAssertion(
  jwt: DecodedJwt,
  app: SimApp,
  issuers: readonly SimOidcIssuer[],
  nowMs: number,
): AssertionProblem | undefined {
  const c = jwt.claims;
  const iss = typeof c.iss === 'string' ? c.iss : '';
  const records = (app.federatedCredentials ?? []).filter((f) => f.issuer === iss);
  if (records.length === 0) {
    return { status: 400, code: 700211, message: `No matching federated identity record found for presented assertion issuer '${iss}'. Please check your federated identity credential Subject, Audience and Issuer against the presented assertion. https://learn.microsoft.com/entra/workload-id/workload-identity-federation` };
  }
  const key = issuers.find((i) => i.issuer === iss);
  if (!key) return { status: 400, code: 50166, message: `Request to External OIDC endpoint failed. Issuer '${iss}'.` };
  if (!verifyRsa(jwt, key.publicKeyPem)) {
    return { status: 401, code: 700027, message: `Client assertion failed signature validation. No key published by issuer '${iss}' matches the assertion's signature.` };
  }
  const nowSeconds = nowMs / 1000;
  if (typeof c.exp !== 'number' || c.exp <= nowSeconds || (typeof c.nbf === 'number' && c.nbf > nowSeconds + 300)) {
    const at = (s: unknown) => (typeof s === 'number' ? new Date(s * 1000).toISOString() : 'unknown');
    return { status: 401, code: 700024, message: `Client assertion is not within its valid time range. Current time: ${new Date(nowMs).toISOString()}, assertion valid from ${at(c.nbf)}, expiry time of assertion ${at(c.exp)}.` };
  }
  const audiences = (Array.isArray(c.aud) ? c.aud : [c.aud]).filter((a): a is string => typeof a === 'string');
  const forAudience = records.filter((f) => (f.audiences ?? [TOKEN_EXCHANGE_AUDIENCE]).some((a) => audiences.includes(a)));
  if (forAudience.length === 0) {
    return { status: 400, code: 700212, message: `No matching federated identity record found for presented assertion audience '${audiences.join(', ')}'. ${CHECK}` };
  }
  const sub = typeof c.sub === 'string' ? c.sub : '';
  if (forAudience.some((f) => f.subject === sub)) return undefined;
  if (forAudience.some((f) => f.subject.toLowerCase() === sub.toLowerCase())) {
    return { status: 400, code: 7002138, message: `No matching federated identity record found for presented assertion subject '${sub}'. The subject matches with case-insensitive comparison, but not with case-sensitive comparison. ${CHECK}` };
  }
  return { status: 400, code: 700213, message: `No matching federated identity record found for presented assertion subject '${sub}'. ${CHECK}` };
}
