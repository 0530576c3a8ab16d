/**
 * The login host is routed by the same settings and NO_PROXY rules as Graph: explicit
 * @azure/identity options (proxyOptions through the proxy, an agent of our own direct), nothing at
 * all without a proxy variable. The last block runs @azure/core-rest-pipeline's own proxyPolicy to
 * show that those options decide the route whatever its own reading of the environment would be.
 */
import { Agent } from 'node:https';
import { createPipelineRequest, proxyPolicy, type PipelineRequest, type PipelineResponse } from '@azure/core-rest-pipeline';
import { describe, expect, it } from 'vitest';
import { planCredential } from '../../src/auth/create-credential.js';
import { explainAuthError } from '../../src/auth/explain-auth-error.js';
import { loginProxyOptions } from '../../src/auth/login-proxy-options.js';
import { CLOUDS } from '../../src/config/clouds.js';
import type { Config } from '../../src/config/config.js';
import { createSecret } from '../../src/config/secret.js';
import { proxyFor, readProxySettings } from '../../src/net/proxy-settings.js';

const LOGIN = CLOUDS.global.authorityHost; // https://login.microsoftonline.com

const base: Config = {
  tenantId: '11111111-1111-1111-1111-111111111111',
  clientId: '22222222-2222-2222-2222-222222222222',
  auth: { method: 'secret', clientSecret: createSecret('s') },
  cloud: 'global',
  authorityHost: LOGIN,
  graphEndpoint: CLOUDS.global.graphEndpoint,
  dbPath: ':memory:',
};

describe('loginProxyOptions', () => {
  it('no proxy variable: no option at all (the library default path)', () => {
    expect(loginProxyOptions(LOGIN, {})).toEqual({});
    expect(loginProxyOptions(LOGIN, { NO_PROXY: 'example.com' })).toEqual({});
  });

  it('through the proxy: proxyOptions with scheme+host, port, and the (still percent-encoded) credentials', () => {
    expect(loginProxyOptions(LOGIN, { HTTPS_PROXY: 'http://corp%5Csvc:p%40ss%3Aw@proxy.corp:3128' })).toEqual({
      proxyOptions: { host: 'http://proxy.corp', port: 3128, username: 'corp%5Csvc', password: 'p%40ss%3Aw' },
    });
    expect(loginProxyOptions(LOGIN, { https_proxy: 'proxy.corp' })).toEqual({ proxyOptions: { host: 'http://proxy.corp', port: 80 } });
    expect(loginProxyOptions(LOGIN, { HTTP_PROXY: 'https://proxy.corp' })).toEqual({ proxyOptions: { host: 'https://proxy.corp', port: 443 } });
  });

  it.each([
    ['login.microsoftonline.com'],
    ['.microsoftonline.com'],
    ['microsoftonline.com'], // the library alone would not bypass a subdomain
    ['*.microsoftonline.com'],
    ['login.microsoftonline.com:443'],
    ['*'],
  ])('NO_PROXY=%j: direct, pinned with an agent of our own', (noProxy) => {
    const options = loginProxyOptions(LOGIN, { HTTPS_PROXY: 'http://proxy.corp:3128', NO_PROXY: noProxy });
    expect(options.proxyOptions).toBeUndefined();
    expect(options.agent).toBeInstanceOf(Agent);
  });

  it('NO_PROXY for another port or host: through the proxy', () => {
    for (const noProxy of ['login.microsoftonline.com:8443', 'graph.microsoft.com', 'soft.com']) {
      expect(loginProxyOptions(LOGIN, { HTTPS_PROXY: 'http://proxy.corp:3128', NO_PROXY: noProxy }).proxyOptions).toBeDefined();
    }
  });

  it('ALL_PROXY alone (which the library would read, and Graph does not): direct for both', () => {
    const options = loginProxyOptions(LOGIN, { ALL_PROXY: 'http://proxy.corp:3128' });
    expect(options.agent).toBeInstanceOf(Agent);
    expect(options.proxyOptions).toBeUndefined();
  });
});

describe('planCredential', () => {
  it('secret and certificate credentials carry the route; managed identity is left to the library', () => {
    const env = { HTTPS_PROXY: 'http://proxy.corp:3128' };
    expect(planCredential(base, env)).toMatchObject({ kind: 'secret', options: { proxyOptions: { host: 'http://proxy.corp', port: 3128 } } });
    expect(planCredential({ ...base, auth: { method: 'certificate', certificatePath: '/x.pem' } }, env)).toMatchObject({
      options: { proxyOptions: { host: 'http://proxy.corp', port: 3128 } },
    });
    expect(planCredential({ ...base, auth: { method: 'managed-identity' } }, env)).toEqual({ kind: 'managed-identity', clientId: base.clientId });
    expect(planCredential(base, {})).toEqual({
      kind: 'secret',
      tenantId: base.tenantId,
      clientId: base.clientId,
      options: { authorityHost: LOGIN, disableInstanceDiscovery: false },
    });
  });
});

describe('explainAuthError', () => {
  const unreachable = Object.assign(new Error('endpoints_resolution_error: See https://aka.ms/msal.js.errors'), { name: 'CredentialUnavailableError' });

  it('names the proxy when the login host goes through one, and never its password', () => {
    const err = explainAuthError(unreachable, base, { HTTPS_PROXY: 'http://svc:s3cret@proxy.corp:3128' });
    expect(err.message).toContain('proxy http://proxy.corp:3128');
    expect(err.suggestion).toMatch(/NO_PROXY/);
    expect(`${err.message} ${err.suggestion}`).not.toContain('s3cret');
  });

  it('says nothing of a proxy when the login host goes direct', () => {
    for (const env of [{}, { HTTPS_PROXY: 'http://proxy.corp:3128', NO_PROXY: 'microsoftonline.com' }]) {
      const err = explainAuthError(unreachable, base, env);
      expect(err.message).not.toMatch(/proxy/i);
    }
  });
});

describe("the library's proxyPolicy obeys the explicit options", () => {
  /** Runs a request to `url` through proxyPolicy as the credential's pipeline would; returns the agent it left. */
  async function agentAfterPolicy(url: string, options: ReturnType<typeof loginProxyOptions>, libraryNoProxy: string[]): Promise<unknown> {
    const policy = proxyPolicy(options.proxyOptions, { customNoProxyList: libraryNoProxy });
    const request: PipelineRequest = createPipelineRequest({ url });
    if (options.agent) request.agent = options.agent; // agentPolicy runs before proxyPolicy
    let sent: PipelineRequest | undefined;
    await policy.sendRequest(request, async (r) => {
      sent = r;
      return { request: r, status: 200, headers: r.headers } as unknown as PipelineResponse;
    });
    return sent!.agent;
  }

  it.each(['', 'login.microsoftonline.com', '.microsoftonline.com', 'microsoftonline.com', '*', 'login.microsoftonline.com:443', 'other.com'])(
    'NO_PROXY=%j: the request gets a proxy agent exactly when our rules say so',
    async (noProxy) => {
      const env = { HTTPS_PROXY: 'http://proxy.corp:3128', NO_PROXY: noProxy };
      const options = loginProxyOptions(LOGIN, env);
      // The library's own NO_PROXY list, as it would load it from the same environment.
      const libraryList = noProxy.split(',').map((s) => s.trim()).filter(Boolean);
      const agent = await agentAfterPolicy(`${LOGIN}/common/oauth2/v2.0/token`, options, libraryList);
      const viaProxy = proxyFor(LOGIN, readProxySettings(env)!) !== undefined;
      expect(agent).toBeDefined();
      expect(agent === options.agent, 'direct means our plain agent').toBe(!viaProxy);
      expect((agent as { constructor: { name: string } }).constructor.name).toBe(viaProxy ? 'HttpsProxyAgent' : 'Agent');
    },
  );
});
