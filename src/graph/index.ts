export { createGraphTransport, DEFAULT_CONCURRENCY, type GraphTransportOptions } from './transport.js';
export { pages, collectAll, type PagesOptions } from './pages.js';
export { pageProblem, pageAcceptor } from './page-check.js';
export { judgeSuccessBody, type BodyVerdict } from './body-check.js';
export { parseDuration } from './duration.js';
export { parseRetryAfter } from './retry-after.js';
export { backoffDelay } from './backoff.js';
export { ThrottleGate, WindowTooLongError, type GateWaitOptions } from './throttle-gate.js';
export { RetryMiddleware, type RetryMiddlewareDeps } from './retry-middleware.js';
export { createGraphClient, customHostsFor, tokenAuthProvider, KNOWN_GRAPH_HOSTS } from './create-graph-client.js';
export { isRetryableNetworkError, describeNetworkError } from './network-error.js';
export { requestFailedError, suggestionFor, graphCodeOf, parseErrorBody } from './response-error.js';
export {
  DEFAULT_RETRY_OPTIONS,
  emptyStats,
  type BatchTransport,
  type GetOptions,
  type GraphResponse,
  type GraphTransport,
  type Page,
  type PageKind,
  type RetryOptions,
  type TransportEvent,
  type TransportShared,
  type TransportStats,
} from './types.js';
export { batchPages, MAX_BATCH_SIZE } from './batch-pages.js';
export type { BatchRequest, BatchResult, BatchPagesOptions } from './batch-types.js';
export { batchEnvelopeProblem, batchRequestBody, type BatchSubResponse } from './batch-envelope.js';
export { judgeItem, type BatchItem, type ItemVerdict } from './batch-item.js';
export { batchUrlOf } from './batch-link.js';
export { Pacing, IDENTITY_BUDGETS, REPORTS_BUDGETS, type PacingOptions, type PacingSnapshot } from './pacing.js';
export { resourceUnitCost } from './resource-units.js';
