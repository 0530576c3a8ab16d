import { afterEach, describe, expect, it, vi } from 'vitest';
import { GraphError, InterruptedError } from '../../src/errors/index.js';
import { isRetryableNetworkError } from '../../src/graph/network-error.js';
import { createGraphTransport } from '../../src/graph/transport.js';
import { FakeTokenSource, GRAPH, fakeTime, realDelay, terminated } from './support.js';

const failedFetch = (code: string) => Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error(code), { code }) });

describe('isRetryableNetworkError', () => {
  it('retries resets, hang-ups, timeouts and a body cut short', () => {
    expect(isRetryableNetworkError(failedFetch('ECONNRESET'))).toBe(true);
    expect(isRetryableNetworkError(terminated('UND_ERR_SOCKET'))).toBe(true);
    expect(isRetryableNetworkError(new TypeError('terminated'))).toBe(true);
    expect(isRetryableNetworkError(new DOMException('The operation timed out.', 'TimeoutError'))).toBe(true);
  });

  it('does not retry a wrong endpoint, an untrusted certificate, or a stop', () => {
    expect(isRetryableNetworkError(failedFetch('ENOTFOUND'))).toBe(false);
    expect(isRetryableNetworkError(failedFetch('CERT_HAS_EXPIRED'))).toBe(false);
    expect(isRetryableNetworkError(failedFetch('ERR_TLS_CERT_ALTNAME_INVALID'))).toBe(false);
    expect(isRetryableNetworkError(new InterruptedError('SIGINT'))).toBe(false);
  });
});

/** The real fetch replaced: what the transport hands to fetch, and how it treats fetch's failures. */
describe('the transport and fetch', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('does not retry ENOTFOUND', async () => {
    const fetch = vi.fn(async () => {
      throw failedFetch('ENOTFOUND');
    });
    vi.stubGlobal('fetch', fetch);
    const time = fakeTime();
    const transport = createGraphTransport({ graphEndpoint: GRAPH, tokenSource: new FakeTokenSource(), now: time.now, sleep: time.sleep });
    const err = (await transport.get('/users').catch((e: unknown) => e)) as GraphError;
    expect(err).toBeInstanceOf(GraphError);
    expect(err.code).toBe('GRAPH_REQUEST_FAILED');
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(transport.stats.retries).toBe(0);
  });

  it('gives fetch a signal that aborts when the run stops, so the connection itself is dropped', async () => {
    const signals: AbortSignal[] = [];
    vi.stubGlobal('fetch', (_url: string, init: RequestInit) => {
      signals.push(init.signal!);
      return new Promise((_resolve, reject) => init.signal!.addEventListener('abort', () => reject(init.signal!.reason)));
    });
    const stop = new AbortController();
    const transport = createGraphTransport({ graphEndpoint: GRAPH, tokenSource: new FakeTokenSource(), signal: stop.signal });
    const pending = transport.get('/users').catch((e: unknown) => e);
    await realDelay(10);
    expect(signals).toHaveLength(1);
    expect(signals[0]!.aborted).toBe(false);
    stop.abort('SIGTERM');
    expect(signals[0]!.aborted).toBe(true);
    const err = (await pending) as InterruptedError;
    expect(err).toBeInstanceOf(InterruptedError);
    expect(err.message).toBe('Stopped by SIGTERM');
    expect(transport.stats).toMatchObject({ requests: 1, retries: 0 });
  });
});
