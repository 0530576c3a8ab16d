import { EntraExtractError, type ErrorDetails } from './entra-extract-error.js';

/**
 * Getting a token failed. `code` says why in a stable form:
 * AUTH_INVALID_SECRET, AUTH_EXPIRED_SECRET, AUTH_UNKNOWN_TENANT, AUTH_APP_NOT_FOUND,
 * AUTH_INVALID_CERTIFICATE, AUTH_MANAGED_IDENTITY_UNAVAILABLE, AUTH_REJECTED (Graph refused a fresh token),
 * workload identity: AUTH_FEDERATED_CREDENTIAL_MISMATCH (issuer, subject or audience matches no federated
 * credential), AUTH_FEDERATED_TOKEN_EXPIRED, AUTH_FEDERATED_ISSUER_UNREACHABLE, AUTH_FEDERATED_TOKEN_INVALID,
 * AUTH_FEDERATED_TOKEN_UNREADABLE; AUTH_FAILED (anything else). Exit 1.
 */
export class AuthError extends EntraExtractError {
  constructor(code: string, message: string, details: ErrorDetails = {}) {
    super(code, message, details);
  }
}
