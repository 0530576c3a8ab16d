import type { SimHandler } from '../sim-http.js';

/** One app registration of a simulated tenant. */
export interface SimApp {
  clientId: string;
  /** Client secrets; an expired one is refused with AADSTS7000222. */
  secrets?: { value: string; expired?: boolean }[];
  /** PEM certificates (public part) whose private keys may sign client assertions. */
  certificates?: string[];
  /** Application permissions granted: they become the token's `roles` claim. */
  roles: string[];
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
