import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../src/graph/duration.js';

describe('parseDuration (--max-wait)', () => {
  it('reads whole seconds, and whole numbers of seconds, minutes or hours', () => {
    expect(parseDuration('600')).toBe(600_000);
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration('10m')).toBe(600_000);
    expect(parseDuration('1h')).toBe(3_600_000);
    expect(parseDuration('0')).toBe(0);
    expect(parseDuration(' 2H ')).toBe(7_200_000);
  });

  it('refuses anything else with a message naming the accepted forms', () => {
    for (const text of ['', 'm', '1.5m', '-5', '10 minutes', '1d', '5ms', '1h30m', '99999999999999999999h']) {
      expect(() => parseDuration(text)).toThrow(/not a duration: give whole seconds \(600\) or a whole number with s, m or h \(90s, 10m, 1h\)/);
    }
  });
});
