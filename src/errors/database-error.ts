import { EntraExtractError, type ErrorDetails } from './entra-extract-error.js';

/**
 * The database cannot be used: missing folder, corrupt file, another tenant's database, a write or
 * COMMIT that failed (DB_WRITE_FAILED, DB_COMMIT_FAILED). Exit 1. Another run holding the lock is its
 * subclass RunLockedError (DB_LOCKED, exit 5).
 */
export class DatabaseError extends EntraExtractError {
  constructor(code: string, message: string, details: ErrorDetails = {}) {
    super(code, message, details);
  }
}
