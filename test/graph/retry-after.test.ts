import { describe, expect, it } from 'vitest';
import { parseRetryAfter } from '../../src/graph/retry-after.js';
import { backoffDelay } from '../../src/graph/backoff.js';

describe('parseRetryAfter', () => {
  const now = Date.parse('2025-01-01T00:00:00Z');

  it('reads integer seconds', () => {
    expect(parseRetryAfter('5', now)).toBe(5000);
    expect(parseRetryAfter('0', now)).toBe(0);
  });

  it('reads decimal seconds as Graph sends them', () => {
    expect(parseRetryAfter('2.128', now)).toBe(2128);
    expect(parseRetryAfter(' 0.5 ', now)).toBe(500);
  });

  it('reads an HTTP-date relative to now, never negative', () => {
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:07 GMT', now)).toBe(7000);
    expect(parseRetryAfter('Tue, 31 Dec 2024 23:59:00 GMT', now)).toBe(0);
  });

  it('gives undefined for missing or unreadable values', () => {
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter('', now)).toBeUndefined();
    expect(parseRetryAfter('-3', now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
  });
});

describe('backoffDelay', () => {
  const opts = { baseDelayMs: 100, maxDelayMs: 1000 };

  it('grows exponentially under full jitter', () => {
    expect(backoffDelay(0, opts, () => 0.5)).toBe(50);
    expect(backoffDelay(1, opts, () => 0.5)).toBe(100);
    expect(backoffDelay(2, opts, () => 0.5)).toBe(200);
  });

  it('is capped at maxDelayMs', () => {
    expect(backoffDelay(20, opts, () => 0.999)).toBeLessThan(1000);
    expect(backoffDelay(20, opts, () => 0.5)).toBe(500);
  });

  it('is jittered by the random source', () => {
    expect(backoffDelay(3, opts, () => 0)).toBe(0);
    expect(backoffDelay(3, opts, () => 0.25)).toBe(200);
  });
});
