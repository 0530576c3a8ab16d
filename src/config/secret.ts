import { inspect } from 'node:util';
import type { Secret } from './config.js';

const REDACTED = '[redacted]';

/**
 * A secret value (client secret, certificate password) that never prints: String(), template
 * literals, JSON.stringify and util.inspect (console.log) all give '[redacted]'. Only reveal()
 * hands out the value, at the one place that sends it to the identity library.
 */
class RedactedSecret implements Secret {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  reveal(): string {
    return this.#value;
  }
  toString(): string {
    return REDACTED;
  }
  toJSON(): string {
    return REDACTED;
  }
  [inspect.custom](): string {
    return REDACTED;
  }
  [Symbol.toPrimitive](): string {
    return REDACTED;
  }
}

export function createSecret(value: string): Secret {
  return Object.freeze(new RedactedSecret(value));
}

export function isSecret(value: unknown): value is Secret {
  return value instanceof RedactedSecret;
}
