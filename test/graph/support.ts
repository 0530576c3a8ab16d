import { HttpResponse } from 'msw';
import type { TokenSource } from '../../src/auth/token-source.js';

/** A Graph host that is not a known Microsoft one, so the customHosts rule is exercised. */
export const GRAPH = 'https://graph.sim.test';

/** Test token source: a new token after each invalidate(); counts calls. */
export class FakeTokenSource implements TokenSource {
  generation = 1;
  invalidations = 0;
  readonly stats = { tokenRequests: 0 };
  get current(): string {
    return `sim-token-SECRET-${this.generation}`;
  }
  async getToken(): Promise<string> {
    this.stats.tokenRequests += 1;
    return this.current;
  }
  invalidate(): void {
    this.invalidations += 1;
    this.generation += 1;
  }
}

/** Graph's answer to a request without a valid bearer token. */
export function unauthorized(): Response {
  return HttpResponse.json(
    { error: { code: 'InvalidAuthenticationToken', message: 'Access token is empty.' } },
    { status: 401, headers: { 'request-id': 'rid-401' } },
  );
}

/** True when the request carries `Bearer <the token source's current token>`. */
export function hasToken(request: Request, tokens: FakeTokenSource): boolean {
  return request.headers.get('authorization') === `Bearer ${tokens.current}`;
}

/** Fake clock: sleep() advances time instantly and records each delay. */
export function fakeTime() {
  const t = { clock: 1_700_000_000_000, sleeps: [] as number[] };
  return {
    t,
    now: () => t.clock,
    sleep: async (ms: number) => {
      t.sleeps.push(ms);
      t.clock += ms;
    },
  };
}

export const realDelay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
