/**
 * Which requests of the Graph client go through a proxy: the settings read from the environment,
 * the NO_PROXY rules, the middleware chosen, and real requests from this process through a local
 * proxy to a local plain-HTTP server (undici tunnels http:// through CONNECT too, so no TLS is
 * needed here; the end-to-end test covers HTTPS with certificate checks).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HTTPMessageHandler, ResponseType, type Context, type Middleware } from '@microsoft/microsoft-graph-client';
import { EnvHttpProxyAgent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, GraphError } from '../../src/errors/index.js';
import { createGraphClient, fetchMiddleware } from '../../src/graph/create-graph-client.js';
import { ProxyFetchHandler } from '../../src/graph/proxy-fetch-handler.js';
import { proxyFor, readProxySettings, type ProxySettings } from '../../src/net/proxy-settings.js';
import { startLocalProxy, type LocalProxy } from '../e2e/local-proxy.js';
import { FakeTokenSource } from './support.js';

const settings = (env: Record<string, string>): ProxySettings => readProxySettings(env)!;

describe('readProxySettings', () => {
  it('is undefined without HTTPS_PROXY or HTTP_PROXY (NO_PROXY or ALL_PROXY alone change nothing)', () => {
    expect(readProxySettings({})).toBeUndefined();
    expect(readProxySettings({ NO_PROXY: 'example.com', ALL_PROXY: 'http://p:1', HTTPS_PROXY: '  ' })).toBeUndefined();
  });

  it('HTTPS_PROXY for https://, HTTP_PROXY for http:// and as the https:// fallback; upper case wins', () => {
    const s = settings({ HTTPS_PROXY: 'http://a.corp:1', https_proxy: 'http://b.corp:2', http_proxy: 'http://c.corp:3', no_proxy: 'x' });
    expect(s.httpsProxy?.href).toBe('http://a.corp:1/');
    expect(s.httpProxy?.href).toBe('http://c.corp:3/');
    expect(s.noProxy).toBe('x');
    expect(settings({ HTTP_PROXY: 'http://c.corp:3' }).httpsProxy?.href).toBe('http://c.corp:3/');
    expect(settings({ https_proxy: 'http://b.corp:2' }).httpProxy).toBeUndefined();
  });

  it('a proxy without a scheme is http://', () => {
    expect(settings({ HTTPS_PROXY: 'proxy.corp:3128' }).httpsProxy?.href).toBe('http://proxy.corp:3128/');
  });

  it('a proxy URL that is not http(s) is a configuration error naming the variable, never its value', () => {
    for (const value of ['socks5://user:s3cret@proxy.corp:1080', 'http://user:s3cret@', '::']) {
      let error: unknown;
      try {
        readProxySettings({ https_proxy: value });
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).code).toBe('CONFIG_INVALID');
      expect((error as ConfigError).message).toContain('https_proxy');
      expect(`${(error as ConfigError).message} ${(error as ConfigError).suggestion}`).not.toContain('s3cret');
    }
  });
});

describe('proxyFor (NO_PROXY)', () => {
  const P = 'http://proxy.corp:3128/';
  const route = (url: string, noProxy: string) => proxyFor(url, settings({ HTTPS_PROXY: P, NO_PROXY: noProxy }))?.href ?? 'direct';

  it.each([
    ['https://graph.microsoft.com/v1.0/users', '', P],
    ['https://graph.microsoft.com/v1.0/users', '*', 'direct'],
    ['https://graph.microsoft.com/v1.0/users', 'graph.microsoft.com', 'direct'],
    ['https://graph.microsoft.com/v1.0/users', 'GRAPH.Microsoft.com', 'direct'],
    ['https://graph.microsoft.com/v1.0/users', 'microsoft.com', 'direct'],
    ['https://graph.microsoft.com/v1.0/users', '.microsoft.com', 'direct'],
    ['https://graph.microsoft.com/v1.0/users', '*.microsoft.com', 'direct'],
    ['https://graph.microsoft.com/v1.0/users', 'soft.com', P],
    ['https://graph.microsoft.com/v1.0/users', 'graph.microsoft.com:443', 'direct'],
    ['https://graph.microsoft.com/v1.0/users', 'graph.microsoft.com:8443', P],
    ['https://graph.microsoft.com/v1.0/users', 'login.microsoftonline.com, graph.microsoft.com', 'direct'],
    ['https://graph.microsoft.com/v1.0/users', 'login.microsoftonline.com graph.microsoft.com', 'direct'],
    ['https://graph.microsoft.com/v1.0/users', 'a.com,*', P],
    ['https://127.0.0.1:8443/x', '127.0.0.1', 'direct'],
    ['https://[::1]:8443/x', '[::1]', 'direct'],
    ['http://graph.microsoft.com/x', '', 'direct'], // http:// needs HTTP_PROXY
  ])('%s with NO_PROXY=%j → %s', (url, noProxy, expected) => {
    expect(route(url, noProxy)).toBe(expected);
  });
});

describe('the middleware that sends Graph requests', () => {
  it('no proxy variable: the library HTTPMessageHandler (global fetch), undici not involved', () => {
    expect(fetchMiddleware({})).toBeInstanceOf(HTTPMessageHandler);
    expect(fetchMiddleware({ NO_PROXY: '*' })).toBeInstanceOf(HTTPMessageHandler);
  });

  it('HTTPS_PROXY set: ProxyFetchHandler with an undici EnvHttpProxyAgent', async () => {
    const handler = fetchMiddleware({ HTTPS_PROXY: 'http://proxy.corp:3128' });
    expect(handler).toBeInstanceOf(ProxyFetchHandler);
    const dispatcher = await (handler as ProxyFetchHandler).dispatcher();
    expect(dispatcher).toBeInstanceOf(EnvHttpProxyAgent);
    await dispatcher.close();
  });
});

describe('requests through a local proxy', () => {
  let target: Server;
  let port: number;
  let proxy: LocalProxy;
  const seen: string[] = [];

  beforeAll(async () => {
    target = createServer((req, res) => {
      seen.push(`${req.headers.host} ${req.url}`);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ value: [] }));
    });
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', () => resolve()));
    port = (target.address() as AddressInfo).port;
    proxy = await startLocalProxy();
  });
  afterAll(async () => {
    await proxy.close();
    await new Promise<void>((resolve) => target.close(() => resolve()));
  });

  async function send(handler: ProxyFetchHandler, url: string): Promise<Response> {
    const context = { request: url, options: { method: 'GET' } } as Context;
    await handler.execute(context);
    return context.response!;
  }

  // Our matcher decides the login host; undici's EnvHttpProxyAgent decides each Graph request.
  // They must agree: both are asked about the same URLs here and the proxy tells what undici did.
  it.each(['', '*', '127.0.0.1', '127.0.0.1:1', '127.0.0.1:PORT', '.0.0.1', 'localhost', 'LOCALHOST:PORT', '*.0.0.1', 'example.com'])(
    'undici routes as proxyFor says, NO_PROXY=%j',
    async (noProxyTemplate) => {
      const noProxy = noProxyTemplate.replace('PORT', String(port));
      const s = settings({ HTTP_PROXY: proxy.url, NO_PROXY: noProxy });
      const handler = new ProxyFetchHandler(s);
      try {
        for (const host of ['127.0.0.1', 'localhost']) {
          const url = `http://${host}:${port}/v1.0/users`;
          const before = proxy.connects.length;
          const response = await send(handler, url);
          expect(response.status).toBe(200);
          await response.text();
          const viaProxy = proxy.connects.length > before;
          expect(viaProxy, `${url} with NO_PROXY=${noProxy}`).toBe(proxyFor(url, s) !== undefined);
        }
      } finally {
        await (await handler.dispatcher()).close();
      }
    },
  );

  it('createGraphClient reads the proxy from its env option and sends every request through it', async () => {
    const passThrough: Middleware & { next?: Middleware } = {
      setNext(next: Middleware) {
        this.next = next;
      },
      execute(context: Context) {
        return this.next!.execute(context);
      },
    };
    const graphEndpoint = `http://127.0.0.1:${port}`;
    const make = (env: Record<string, string>) =>
      createGraphClient({ graphEndpoint, tokenSource: new FakeTokenSource(), retryMiddleware: passThrough, env });

    const before = proxy.connects.length;
    const response = (await make({ HTTP_PROXY: proxy.url }).api('/users').responseType(ResponseType.RAW).get()) as Response;
    expect(response.status).toBe(200);
    expect(proxy.connects.slice(before)).toEqual([`127.0.0.1:${port}`]);

    const direct = (await make({ HTTP_PROXY: proxy.url, NO_PROXY: '127.0.0.1' }).api('/users').responseType(ResponseType.RAW).get()) as Response;
    expect(direct.status).toBe(200);
    expect(proxy.connects.length).toBe(before + 1);
  });

  it('a proxy asking for credentials: GRAPH_PROXY_REFUSED, not retried; a proxy not listening: GRAPH_PROXY_UNREACHABLE', async () => {
    const guarded = await startLocalProxy({ credentials: { user: 'u', password: 'p' } });
    const closed = await startLocalProxy();
    await closed.close();
    try {
      for (const [proxyUrl, code] of [
        [guarded.url, 'GRAPH_PROXY_REFUSED'],
        [closed.url, 'GRAPH_PROXY_UNREACHABLE'],
      ] as const) {
        const handler = new ProxyFetchHandler(settings({ HTTP_PROXY: proxyUrl }));
        const error = await send(handler, `http://127.0.0.1:${port}/v1.0/users`).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(GraphError);
        expect((error as GraphError).code).toBe(code);
        expect((error as GraphError).message).toContain(new URL(proxyUrl).host);
        await (await handler.dispatcher()).close();
      }
      expect(guarded.refused).toBe(1);
    } finally {
      await guarded.close();
    }
  });
});
