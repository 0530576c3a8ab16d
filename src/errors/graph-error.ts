import { EntraExtractError, type ErrorDetails } from './entra-extract-error.js';

/**
 * A Graph request failed for good (after the retry budget, or with a status that is not retried).
 * `graphCode` is the `error.code` of Graph's error body: branch on it, never on the message.
 */
export class GraphError extends EntraExtractError {
  readonly graphCode?: string;
  constructor(code: string, message: string, details: ErrorDetails & { graphCode?: string } = {}) {
    super(code, message, details);
    this.graphCode = details.graphCode;
  }
}
