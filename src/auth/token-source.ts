/**
 * What the Graph transport needs from authentication: a bearer token for `<graphEndpoint>/.default`.
 * Implementations cache the token and fetch a new one ahead of its expiry, so long runs never send
 * an expired token; invalidate() is called once after Graph answers 401, and the next getToken()
 * must then return a token that did not come from any cache.
 */
export interface TokenSource {
  getToken(): Promise<string>;
  invalidate(): void;
  readonly stats: { tokenRequests: number };
}
