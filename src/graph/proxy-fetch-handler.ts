import type { Context, Middleware } from '@microsoft/microsoft-graph-client';
import type { Dispatcher } from 'undici';
import { GraphError } from '../errors/index.js';
import { describeProxy, proxyFor, type ProxySettings } from '../net/proxy-settings.js';

type UndiciModule = typeof import('undici');
type FetchLike = (url: string, init: Record<string, unknown>) => Promise<Response>;

/**
 * The last middleware of the chain when the environment names a proxy; it takes the place of the
 * library's HTTPMessageHandler, which calls the global fetch. Node's global fetch ignores
 * HTTPS_PROXY / HTTP_PROXY / NO_PROXY, so this sends each request with undici's own `fetch` and
 * undici's EnvHttpProxyAgent (CONNECT tunnel to the proxy, TLS to Graph inside it, certificate checks
 * as usual), which applies NO_PROXY per request. Both come from the one `undici` package: a dispatcher
 * is only guaranteed to work with the fetch of the undici that made it, and the undici bundled in
 * Node differs by Node version (6.x in Node 20/22, 7.x in 24).
 * https://undici.nodejs.org/#/docs/api/EnvHttpProxyAgent.md
 * undici is loaded on the first request, so a run without a proxy never loads it.
 */
export class ProxyFetchHandler implements Middleware {
  #loaded?: Promise<{ fetch: FetchLike; dispatcher: Dispatcher }>;

  constructor(
    private readonly settings: ProxySettings,
    private readonly load: () => Promise<UndiciModule> = () => import('undici'),
  ) {}

  /** The dispatcher every request of this client goes through (created on first use). */
  async dispatcher(): Promise<Dispatcher> {
    return (await this.#undici()).dispatcher;
  }

  async execute(context: Context): Promise<void> {
    // GraphRequest always hands a URL string to the chain; undici's fetch would not accept the
    // global Request class anyway.
    if (typeof context.request !== 'string') throw new TypeError('ProxyFetchHandler expects the request as a URL string');
    const url = context.request;
    const { fetch, dispatcher } = await this.#undici();
    try {
      context.response = await fetch(url, { ...(context.options as Record<string, unknown>), dispatcher });
    } catch (err) {
      throw this.#explain(err, url, String(context.options?.method ?? 'GET').toUpperCase()) ?? err;
    }
  }

  #undici(): Promise<{ fetch: FetchLike; dispatcher: Dispatcher }> {
    this.#loaded ??= this.load().then((undici) => ({
      fetch: undici.fetch as unknown as FetchLike,
      // Our settings, passed explicitly ('' = none), so undici does not read the environment itself:
      // the login credential is routed by the same values (src/auth/login-proxy-options.ts).
      dispatcher: new undici.EnvHttpProxyAgent({
        httpsProxy: this.settings.httpsProxy?.href ?? '',
        httpProxy: this.settings.httpProxy?.href ?? '',
        noProxy: this.settings.noProxy,
      }),
    }));
    return this.#loaded;
  }

  /**
   * A proxy that refuses the tunnel (407 credentials, 403 host not allowed) or cannot be reached is a
   * configuration problem: an error of ours stops the retries at once. Anything else (a 5xx from the
   * proxy, a reset) is left to the retry middleware.
   */
  #explain(err: unknown, url: string, method: string): GraphError | undefined {
    const proxy = proxyFor(url, this.settings);
    if (!proxy) return undefined;
    const via = `The proxy ${describeProxy(proxy)} (HTTPS_PROXY / HTTP_PROXY)`;
    const host = new URL(url).host;
    const details = { request: `${method} ${url}`, cause: err };
    for (let e: unknown = err, depth = 0; e && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
      const status = /Proxy response \((\d{3})\)/.exec((e as Error).message ?? '')?.[1];
      if (status === '407') {
        return new GraphError('GRAPH_PROXY_REFUSED', `${via} asks for credentials (407) for ${host}.`, {
          ...details,
          suggestion: 'Put the proxy user name and password in the proxy URL: http://user:password@proxy:port (percent-encode special characters).',
        });
      }
      if (status === '403') {
        return new GraphError('GRAPH_PROXY_REFUSED', `${via} refused a tunnel to ${host} (403).`, {
          ...details,
          suggestion: `Ask the proxy administrator to allow ${host}, or list it in NO_PROXY if it is reachable directly.`,
        });
      }
      const code = (e as { code?: unknown }).code;
      if (code === 'ECONNREFUSED' || code === 'ENOTFOUND') {
        return new GraphError('GRAPH_PROXY_UNREACHABLE', `${via} cannot be reached (${code}).`, {
          ...details,
          suggestion: `Check HTTPS_PROXY / HTTP_PROXY, or list ${new URL(url).hostname} in NO_PROXY if it is reachable directly.`,
        });
      }
    }
    return undefined;
  }
}
