import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { signRs256 } from './jwt.js';
import type { SimOidcIssuer } from './login-sim-types.js';

/**
 * The audience Microsoft recommends for federated identity credentials in Entra ID ("should be set to
 * api://AzureADTokenExchange"), and the one AKS workload identity projects its tokens for.
 * https://learn.microsoft.com/graph/api/resources/federatedidentitycredential (audiences)
 * https://learn.microsoft.com/azure/aks/workload-identity-overview
 */
export const TOKEN_EXCHANGE_AUDIENCE = 'api://AzureADTokenExchange';

export interface MintOptions {
  /** e.g. system:serviceaccount:<namespace>:<service account>, or repo:<owner>/<repo>:environment:<name>. */
  subject: string;
  /** Default TOKEN_EXCHANGE_AUDIENCE. Kubernetes puts the audience in an array. */
  audience?: string | string[];
  /** Default 3600 (a projected service account token lives an hour, and is rotated before it expires). */
  lifetimeSeconds?: number;
  /** Issue time, ms since epoch (default Date.now()). */
  now?: number;
}

/**
 * A simulated external OIDC issuer (a Kubernetes cluster's service account issuer, GitHub Actions) with
 * a fresh RSA key. A second issuer made with the same URL forges tokens the first one's key rejects.
 */
export interface SimTokenIssuer extends SimOidcIssuer {
  /** A signed token as the issuer hands it to a workload (the content of AZURE_FEDERATED_TOKEN_FILE). */
  mint(options: MintOptions): string;
}

export function createSimTokenIssuer(issuer: string): SimTokenIssuer {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = randomUUID();
  return {
    issuer,
    publicKeyPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    mint(o) {
      const iat = Math.floor((o.now ?? Date.now()) / 1000);
      const claims = {
        aud: Array.isArray(o.audience) ? o.audience : [o.audience ?? TOKEN_EXCHANGE_AUDIENCE],
        exp: iat + (o.lifetimeSeconds ?? 3600),
        iat,
        nbf: iat,
        iss: issuer,
        jti: randomUUID(),
        sub: o.subject,
      };
      return signRs256(claims, privateKey, kid);
    },
  };
}
