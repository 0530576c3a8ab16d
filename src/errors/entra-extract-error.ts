/**
 * Base of the error hierarchy. Library code throws these; only the CLI error handler
 * (src/cli/handle-error.ts) turns them into messages and exit codes.
 */
export interface ErrorDetails {
  /** What to do about it, in words a tenant administrator can act on. */
  suggestion?: string;
  /** The request that failed: method and URL, never a secret. */
  request?: string;
  /** Graph's `request-id` response header, for a support case. */
  requestId?: string;
  /** HTTP status, when the error came from an HTTP response. */
  status?: number;
  cause?: unknown;
}

export class EntraExtractError extends Error {
  /** Stable machine-readable code, e.g. CONFIG_MISSING, AUTH_INVALID_SECRET. */
  readonly code: string;
  /** Process exit code the CLI uses for this error (see CONTRACT.md section 1). */
  readonly exitCode: number = 1;
  readonly suggestion?: string;
  readonly request?: string;
  readonly requestId?: string;
  readonly status?: number;

  constructor(code: string, message: string, details: ErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    this.code = code;
    this.suggestion = details.suggestion;
    this.request = details.request;
    this.requestId = details.requestId;
    this.status = details.status;
  }
}
