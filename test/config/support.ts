import { expect } from 'vitest';
import { ConfigError } from '../../src/errors/index.js';

/** Runs fn, which must throw a ConfigError, and returns it. */
export function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}
