import { EntraExtractError, type ErrorDetails } from './entra-extract-error.js';

/**
 * Getting a token failed. `code` says why in a stable form:
 * AUTH_INVALID_SECRET, AUTH_EXPIRED_SECRET, AUTH_UNKNOWN_TENANT, AUTH_APP_NOT_FOUND,
 * AUTH_INVALID_CERTIFICATE, AUTH_MANAGED_IDENTITY_UNAVAILABLE, AUTH_REJECTED (Graph refused a fresh token),
 * AUTH_FAILED (anything else). Exit 1.
 */
export class AuthError extends EntraExtractError {
  constructor(code: string, message: string, details: ErrorDetails = {}) {
    super(code, message, details);
  }
}
