import { EntraExtractError, type ErrorDetails } from './entra-extract-error.js';

/** The command line itself is wrong (unknown option value, unknown collection). Exit 2. */
export class UsageError extends EntraExtractError {
  override readonly exitCode = 2;
  constructor(message: string, details: ErrorDetails = {}) {
    super('USAGE', message, details);
  }
}
