import { InvalidArgumentError } from 'commander';
import { parseDuration } from '../graph/index.js';

/** Parses a whole number of at least `min`, or fails with the usage error commander prints. */
export function wholeNumber(option: string, min = 1, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) {
      const range = max < Number.MAX_SAFE_INTEGER ? ` from ${min} to ${max}` : min === 0 ? ' (0 or more)' : ` of at least ${min}`;
      throw new InvalidArgumentError(`${option} must be a whole number${range}.`);
    }
    return n;
  };
}

/** Parses a duration (`600` seconds, `90s`, `10m`, `1h`) into milliseconds, or fails with a usage error. */
export function duration(option: string) {
  return (value: string): number => {
    try {
      return parseDuration(value);
    } catch (error) {
      throw new InvalidArgumentError(`${option}: ${(error as Error).message}`);
    }
  };
}
