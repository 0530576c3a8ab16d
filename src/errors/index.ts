export { EntraExtractError, type ErrorDetails } from './entra-extract-error.js';
export { ConfigError } from './config-error.js';
export { UsageError } from './usage-error.js';
export { AuthError } from './auth-error.js';
export { GraphError } from './graph-error.js';
export { DatabaseError } from './database-error.js';
export { InterruptedError } from './interrupted-error.js';
export { RunLockedError, type LockHolder } from './run-locked-error.js';
export { SkippedError } from './skipped-error.js';
