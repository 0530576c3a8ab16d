import type { SimHandler } from '../sim-http.js';

/** One app registration of a simulated tenant. */
export interface SimApp {
  clientId: string;
  /** Client secrets; an expired one is refused with AADSTS7000222. */
  secrets?: { value: string; expired?: boolean }[];
  /** PEM certificates (public part) whose private keys may sign client assertions. */
  certificates?: string[];
  /** Federated identity credentials: tokens of other issuers this app accepts in place of a secret. */
  federatedCredentials?: SimFederatedCredential[];
  /** Application permissions granted: they become the token's `roles` claim. */
  roles: string[];
}

/**
 * A federated identity credential of an app registration: a token from `issuer` whose `sub` is
 * `subject` (compared case-sensitively) and whose `aud` holds one of `audiences` may be exchanged for a
 * token of the app. https://learn.microsoft.com/graph/api/resources/federatedidentitycredential
 */
export interface SimFederatedCredential {
  name?: string;
  issuer: string;
  subject: string;
  /** Default ['api://AzureADTokenExchange'], Microsoft's recommended value. */
  audiences?: string[];
}

/**
 * An external OIDC issuer whose signing key the simulated login service knows (Entra fetches it from the
 * issuer's `/.well-known/openid-configuration` → `jwks_uri`; the simulation is told it directly).
 */
export interface SimOidcIssuer {
  issuer: string;
  /** PEM public key (or certificate) that verifies the issuer's RS256 tokens. */
  publicKeyPem: string;
}

export interface SimTenantRegistration {
  id: string;
  /** Verified domain names that also identify the tenant in the token URL. */
  domains?: string[];
  apps: SimApp[];
}

export interface LoginSimOptions {
  tenants: SimTenantRegistration[];
  /** expires_in of issued tokens, seconds (default 3599). Tests shrink it to exercise refresh. */
  tokenLifetimeSeconds?: number;
  /** External issuers whose tokens can be verified (for federated credentials); others answer AADSTS50166. */
  federatedIssuers?: SimOidcIssuer[];
  /** App Service style managed identity: requests must carry X-IDENTITY-HEADER with this value. */
  managedIdentity?: { identityHeader: string; tenantId: string; clientId: string; roles: string[] };
  now?: () => number;
}

export type VerifyResult =
  | { ok: true; claims: { tid: string; appid: string; roles: string[]; aud: string; exp: number } }
  | { ok: false; status: 401; code: 'InvalidAuthenticationToken'; message: string };

export interface LoginSim {
  /** Serves the token endpoint, OpenID metadata, instance discovery and the managed identity endpoint. */
  handle: SimHandler;
  /** Checks an `Authorization: Bearer …` header value for the given audience (the Graph root URL). */
  verifyBearer(authorization: string | null, audience: string): VerifyResult;
  /** Every token issued so far stops working (Graph answers 401), as after a key rollover or revocation. */
  revokeAll(): void;
  readonly stats: { tokenRequests: number; tokensIssued: number; failures: number };
}
