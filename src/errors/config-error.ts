import { EntraExtractError, type ErrorDetails } from './entra-extract-error.js';

/** Missing or malformed configuration (environment, .env file or flags). Exit 1. */
export class ConfigError extends EntraExtractError {
  constructor(code: string, message: string, details: ErrorDetails = {}) {
    super(code, message, details);
  }
}
