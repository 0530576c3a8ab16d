import type { AccessToken, TokenCredential } from '@azure/identity';
import type { Config } from '../config/config.js';
import { createCredentialFactory } from './create-credential.js';
import { explainAuthError } from './explain-auth-error.js';
import type { TokenSource } from './token-source.js';

export interface TokenSourceOptions {
  /**
   * Refresh this long before expiry. Default: the smaller of 5 minutes and a quarter of the token's
   * lifetime (so a 60-minute token is replaced at 55 minutes, a 4-second test token at 3 seconds).
   */
  refreshMarginMs?: number;
  /** Clock, ms since epoch (default Date.now). */
  now?: () => number;
  /** Builds a fresh credential; default from the config (secret, certificate or managed identity). Tests inject fakes. */
  credentialFactory?: () => TokenCredential;
}

const MAX_MARGIN_MS = 5 * 60_000;

/**
 * A TokenSource over an @azure/identity credential for `<graphEndpoint>/.default`.
 * Keeps the token and fetches a new one ahead of expiry; concurrent callers share one request;
 * invalidate() drops the token and the credential itself, so the next request bypasses MSAL's cache too.
 */
export function createTokenSource(config: Readonly<Config>, options: TokenSourceOptions = {}): TokenSource {
  const now = options.now ?? Date.now;
  const factory = options.credentialFactory ?? createCredentialFactory(config);
  const scope = `${config.graphEndpoint}/.default`;
  const stats = { tokenRequests: 0 };

  let credential: TokenCredential | undefined;
  let cached: { token: string; refreshAt: number } | undefined;
  let inflight: Promise<string> | undefined;
  let generation = 0;

  const request = async (): Promise<AccessToken> => {
    credential ??= factory();
    stats.tokenRequests++;
    let result: AccessToken | null;
    try {
      result = await credential.getToken(scope);
    } catch (err) {
      throw explainAuthError(err, config);
    }
    if (!result?.token) throw explainAuthError(new Error('The credential returned no token.'), config);
    return result;
  };

  const fetchToken = async (gen: number): Promise<string> => {
    const replacing = cached?.token;
    const obtainedAt = now();
    let result = await request();
    if (result.token === replacing) {
      // MSAL's own cache handed back the token we are replacing (its renewal offset differs from our
      // margin): a new credential object has an empty cache and must ask the login service.
      credential = undefined;
      result = await request();
    }
    const lifetime = Math.max(0, result.expiresOnTimestamp - obtainedAt);
    const margin = options.refreshMarginMs ?? Math.min(MAX_MARGIN_MS, lifetime / 4);
    // A token handed out before invalidate() was called must not be cached after it.
    if (gen === generation) cached = { token: result.token, refreshAt: result.expiresOnTimestamp - margin };
    return result.token;
  };

  return {
    getToken() {
      if (cached && now() < cached.refreshAt) return Promise.resolve(cached.token);
      if (!inflight) {
        const gen = generation;
        const p = fetchToken(gen).finally(() => {
          if (inflight === p) inflight = undefined;
        });
        inflight = p;
      }
      return inflight;
    },
    invalidate() {
      generation++;
      cached = undefined;
      inflight = undefined;
      credential = undefined;
    },
    stats,
  };
}
