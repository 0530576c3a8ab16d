import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { json, type SimRequest, type SimResponse } from '../sim-http.js';
import { aadError } from './aad-error.js';
import { checkFederatedAssertion, isFederatedAssertion, type AssertionProblem } from './federated-assertion.js';
import { decodeJwt, signHs256, verifyHs256, verifyRsa, type DecodedJwt } from './jwt.js';
import type { LoginSim, LoginSimOptions, SimApp, SimTenantRegistration, VerifyResult } from './login-sim-types.js';

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** Path of the App Service managed identity endpoint served on any origin (IDENTITY_ENDPOINT = <origin>/msi/token). */
export const MANAGED_IDENTITY_PATH = '/msi/token';

/**
 * A simulated Entra ID login service: the client-credentials token endpoint (secret, certificate
 * assertion, or a federated assertion: an external issuer's token matched against the app's federated
 * identity credentials), the OpenID metadata MSAL reads, instance discovery and the App Service managed
 * identity endpoint. It answers on whatever origin the request came to, so tests pick any host.
 */
export function createLoginSim(options: LoginSimOptions): LoginSim {
  const now = options.now ?? Date.now;
  const lifetime = options.tokenLifetimeSeconds ?? 3599;
  let key = randomBytes(32);
  let kid = randomUUID();
  const stats = { tokenRequests: 0, tokensIssued: 0, failures: 0 };

  const findTenant = (segment: string): SimTenantRegistration | undefined => {
    const s = segment.toLowerCase();
    return options.tenants.find((t) => t.id.toLowerCase() === s || (t.domains ?? []).some((d) => d.toLowerCase() === s));
  };

  const fail = (status: number, error: string, code: number, description: string): SimResponse => {
    stats.failures++;
    return aadError(status, error, code, description, now());
  };

  const issue = (resource: string, tid: string, appid: string, roles: string[], acr: '0' | '1' | '2') => {
    const iat = Math.floor(now() / 1000);
    const claims: Record<string, unknown> = {
      aud: resource,
      iss: `https://sts.windows.net/${tid}/`,
      iat,
      nbf: iat,
      exp: Math.ceil(now() / 1000) + lifetime,
      appid,
      azp: appid,
      appidacr: acr,
      idtyp: 'app',
      oid: objectId(tid, appid),
      sub: objectId(tid, appid),
      tid,
      uti: randomUUID(),
      ver: '1.0',
    };
    if (roles.length > 0) claims.roles = [...roles];
    stats.tokensIssued++;
    return signHs256(claims, key, kid);
  };

  const token = (req: SimRequest, tenantSegment: string): SimResponse => {
    stats.tokenRequests++;
    if (req.method !== 'POST') return fail(405, 'invalid_request', 900561, 'The endpoint only accepts POST requests.');
    const tenant = findTenant(tenantSegment);
    if (!tenant) {
      return fail(400, 'invalid_request', 90002, `Tenant '${tenantSegment}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`);
    }
    const form = new URLSearchParams(req.body);
    const basic = parseBasic(req.headers.get('authorization'));
    const clientId = form.get('client_id') ?? basic?.user;
    if (form.get('grant_type') !== 'client_credentials') {
      return fail(400, 'unsupported_grant_type', 70003, 'The app requested an unsupported grant type.');
    }
    if (!clientId) return fail(400, 'invalid_request', 900144, "The request body must contain the following parameter: 'client_id'.");
    const app = tenant.apps.find((a) => a.clientId.toLowerCase() === clientId.toLowerCase());
    if (!app) {
      return fail(400, 'unauthorized_client', 700016, `Application with identifier '${clientId}' was not found in the directory '${tenant.id}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant.`);
    }
    const secret = form.get('client_secret') ?? basic?.password;
    const assertion = form.get('client_assertion');
    let acr: '1' | '2';
    if (assertion !== null) {
      if (form.get('client_assertion_type') !== ASSERTION_TYPE) {
        return fail(400, 'invalid_request', 50027, 'client_assertion_type must be urn:ietf:params:oauth:client-assertion-type:jwt-bearer.');
      }
      const jwt = decodeJwt(assertion);
      const issuers = options.federatedIssuers ?? [];
      const problem = !jwt
        ? { status: 400, code: 50027, message: 'JWT token is invalid or malformed.' }
        : isFederatedAssertion(jwt, app, issuers)
          ? checkFederatedAssertion(jwt, app, issuers, now())
          : checkAssertion(jwt, app, req.url, tenant, now());
      if (problem) return fail(problem.status, 'invalid_client', problem.code, problem.message);
      acr = '2';
    } else if (secret) {
      const match = (app.secrets ?? []).find((s) => s.value === secret);
      if (!match) {
        return fail(401, 'invalid_client', 7000215, `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${app.clientId}'.`);
      }
      if (match.expired) {
        return fail(401, 'invalid_client', 7000222, `The provided client secret keys for app '${app.clientId}' are expired. Visit the Azure portal to create new keys for your app.`);
      }
      acr = '1';
    } else {
      return fail(401, 'invalid_client', 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.");
    }
    const resource = resourceOf(form.get('scope'));
    if (!resource) {
      return fail(400, 'invalid_scope', 70011, `The provided request must include a 'scope' input parameter. The provided value for the input parameter 'scope' is not valid. The scope ${form.get('scope') ?? ''} is not valid.`);
    }
    const accessToken = issue(resource, tenant.id, app.clientId, app.roles, acr);
    return json(200, { token_type: 'Bearer', expires_in: lifetime, ext_expires_in: lifetime, access_token: accessToken });
  };

  const managedIdentity = (req: SimRequest): SimResponse => {
    stats.tokenRequests++;
    const mi = options.managedIdentity;
    if (!mi) {
      stats.failures++;
      return json(404, { statusCode: 404, message: 'No managed identity is assigned to this resource.' });
    }
    if (req.headers.get('x-identity-header') !== mi.identityHeader) {
      stats.failures++;
      return json(401, { statusCode: 401, message: 'The X-IDENTITY-HEADER header is missing or does not match IDENTITY_HEADER.' });
    }
    const q = req.url.searchParams;
    const requestedClientId = q.get('client_id');
    if (requestedClientId !== null && requestedClientId.toLowerCase() !== mi.clientId.toLowerCase()) {
      stats.failures++;
      return json(400, { statusCode: 400, message: 'Unable to load the proper Managed Identity.', correlationId: randomUUID() });
    }
    const resource = (q.get('resource') ?? '').replace(/\/\.default$/, '');
    if (!/^https:\/\/[^\s]+$/.test(resource)) {
      stats.failures++;
      return json(400, { statusCode: 400, message: `The resource '${resource}' is not valid.` });
    }
    const expiresOn = Math.floor(now() / 1000) + lifetime;
    return json(200, {
      access_token: issue(resource, mi.tenantId, mi.clientId, mi.roles, '2'),
      expires_on: String(expiresOn),
      resource,
      token_type: 'Bearer',
      client_id: mi.clientId,
    });
  };

  const openidConfiguration = (req: SimRequest, tenantSegment: string): SimResponse => {
    const tenant = findTenant(tenantSegment);
    if (!tenant) return fail(400, 'invalid_tenant', 90002, `Tenant '${tenantSegment}' not found.`);
    const base = `${req.url.origin}/${tenant.id}`;
    return json(200, {
      token_endpoint: `${base}/oauth2/v2.0/token`,
      token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
      jwks_uri: `${base}/discovery/v2.0/keys`,
      response_modes_supported: ['query', 'fragment', 'form_post'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      issuer: `${req.url.origin}/${tenant.id}/v2.0`,
      request_uri_parameter_supported: false,
      userinfo_endpoint: `${req.url.origin}/oidc/userinfo`,
      authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
      device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
      http_logout_supported: true,
      frontchannel_logout_supported: true,
      end_session_endpoint: `${base}/oauth2/v2.0/logout`,
      claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'nbf', 'tid', 'oid'],
      kerberos_endpoint: `${base}/kerberos`,
      tenant_region_scope: 'NA',
      cloud_instance_name: req.url.hostname,
      cloud_graph_host_name: req.url.hostname,
      msgraph_host: req.url.hostname,
      rbac_url: req.url.origin,
    });
  };

  const instanceDiscovery = (req: SimRequest): SimResponse => {
    const host = req.url.host;
    return json(200, {
      tenant_discovery_endpoint: `${req.url.origin}/${req.url.searchParams.get('authorization_endpoint')?.split('/')[3] ?? 'common'}/v2.0/.well-known/openid-configuration`,
      'api-version': '1.1',
      metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
    });
  };

  return {
    handle(req) {
      const path = req.url.pathname;
      if (path.replace(/\/+$/, '').toLowerCase() === MANAGED_IDENTITY_PATH && req.method === 'GET') return managedIdentity(req);
      let m = /^\/([^/]+)\/oauth2\/v2\.0\/token\/?$/.exec(path);
      if (m) return token(req, decodeURIComponent(m[1]!));
      m = /^\/([^/]+)\/v2\.0\/\.well-known\/openid-configuration\/?$/.exec(path);
      if (m && req.method === 'GET') return openidConfiguration(req, decodeURIComponent(m[1]!));
      if (path === '/common/discovery/instance' && req.method === 'GET') return instanceDiscovery(req);
      m = /^\/([^/]+)\/discovery\/v2\.0\/keys$/.exec(path);
      if (m && req.method === 'GET') return json(200, { keys: [] });
      return undefined;
    },

    verifyBearer(authorization, audience): VerifyResult {
      const invalid = (message: string): VerifyResult => ({ ok: false, status: 401, code: 'InvalidAuthenticationToken', message });
      if (!authorization) return invalid('Access token is empty.');
      const m = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
      if (!m) return invalid('Access token is empty.');
      const jwt = decodeJwt(m[1]!);
      if (!jwt) return invalid('CompactToken parsing failed with error code: 80049217');
      if (jwt.header.kid !== kid || !verifyHs256(jwt, key)) return invalid('Access token validation failure.');
      const c = jwt.claims;
      if (trimSlash(String(c.aud)) !== trimSlash(audience)) return invalid('Invalid audience.');
      const nowSeconds = now() / 1000;
      if (typeof c.exp !== 'number' || nowSeconds >= c.exp || (typeof c.nbf === 'number' && nowSeconds + 300 < c.nbf)) {
        return invalid('Access token has expired or is not yet valid.');
      }
      return {
        ok: true,
        claims: {
          tid: String(c.tid),
          appid: String(c.appid),
          roles: Array.isArray(c.roles) ? c.roles.map(String) : [],
          aud: String(c.aud),
          exp: c.exp,
        },
      };
    },

    revokeAll() {
      // A key rollover: every token signed so far fails verification from now on.
      key = randomBytes(32);
      kid = randomUUID();
    },

    stats,
  };
}

/** The app's own client assertion, signed with the private key of one of its certificates. */
function checkAssertion(jwt: DecodedJwt, app: SimApp, url: URL, tenant: SimTenantRegistration, nowMs: number): AssertionProblem | undefined {
  if (!(app.certificates ?? []).some((pem) => verifyRsa(jwt, pem))) {
    return { status: 401, code: 700027, message: `Client assertion failed signature validation. No registered certificate of app '${app.clientId}' matches the signing key.` };
  }
  const c = jwt.claims;
  if (c.iss !== app.clientId || c.sub !== app.clientId) {
    return { status: 401, code: 700023, message: "Client assertion 'iss' and 'sub' must both be the application (client) ID." };
  }
  if (!audienceMatches(c.aud, url, tenant)) {
    return { status: 401, code: 700021, message: `Client assertion audience claim does not match Realm issuer. Expected ${url.origin}${url.pathname}.` };
  }
  const nowSeconds = nowMs / 1000;
  if (typeof c.exp !== 'number' || c.exp <= nowSeconds || (typeof c.nbf === 'number' && c.nbf > nowSeconds + 300)) {
    return { status: 401, code: 700024, message: 'Client assertion is not within its valid time range.' };
  }
  return undefined;
}

/** aud must be this token endpoint, with the tenant named by its id or any of its domains. */
function audienceMatches(aud: unknown, url: URL, tenant: SimTenantRegistration): boolean {
  if (typeof aud !== 'string') return false;
  let target: URL;
  try {
    target = new URL(aud);
  } catch {
    return false;
  }
  if (target.origin !== url.origin) return false;
  const m = /^\/([^/]+)\/oauth2\/v2\.0\/token\/?$/.exec(target.pathname);
  if (!m) return false;
  const seg = m[1]!.toLowerCase();
  return seg === tenant.id.toLowerCase() || (tenant.domains ?? []).some((d) => d.toLowerCase() === seg);
}

function resourceOf(scope: string | null): string | undefined {
  if (!scope) return undefined;
  const scopes = scope.split(/\s+/).filter(Boolean);
  if (scopes.length !== 1) return undefined;
  const m = /^(https?:\/\/[^\s]+?)\/\.default$/.exec(scopes[0]!);
  return m?.[1];
}

function parseBasic(header: string | null): { user: string; password: string } | undefined {
  const m = header ? /^Basic\s+(\S+)$/i.exec(header) : null;
  if (!m) return undefined;
  const text = Buffer.from(m[1]!, 'base64').toString('utf8');
  const i = text.indexOf(':');
  if (i < 0) return undefined;
  return { user: decodeURIComponent(text.slice(0, i)), password: decodeURIComponent(text.slice(i + 1)) };
}

/** A stable object id for the service principal of (tenant, app). */
function objectId(tid: string, appid: string): string {
  const h = createHash('sha256').update(`${tid}|${appid}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function trimSlash(s: string): string {
  return s.replace(/\/+$/, '');
}
