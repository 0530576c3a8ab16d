import { EntraExtractError, GraphError, InterruptedError, UsageError } from '../errors/index.js';
import { interruptedBy, sleepUnlessStopped, throwIfStopped } from './abort.js';
import { backoffDelay } from './backoff.js';
import { batchEnvelopeProblem, batchRequestBody, type BatchSubResponse } from './batch-envelope.js';
import { attemptsOf, judgeItem, type BatchItem } from './batch-item.js';
import { EnvelopeWindow } from './envelope-window.js';
import { batchUrlOf } from './batch-link.js';
import type { BatchPagesOptions, BatchRequest, BatchResult } from './batch-types.js';
import type { BatchTransport, TransportStats } from './types.js';

/** Graph's limit of requests in one `$batch` (https://learn.microsoft.com/graph/json-batching). */
export const MAX_BATCH_SIZE = 20;

/**
 * Envelopes one call starts with in flight by default: 160 sub-requests, which pay the largest
 * identity budget (8,000 RU per 10 s) at up to about 300 ms an envelope. From there the window adapts
 * (envelope-window.ts): up to the transport's concurrency while Graph is the slower side, down to
 * MIN_ENVELOPES_IN_FLIGHT while the writer is, since then envelopes in flight only buffer answers.
 */
export const INITIAL_ENVELOPES_IN_FLIGHT = 8;
export const MIN_ENVELOPES_IN_FLIGHT = 2;

/**
 * Runs many GETs through JSON `$batch` envelopes and yields every page of each, as items complete.
 *
 * - An envelope is a POST through the transport: its limiter, shared throttle gate and retry owner
 *   (a 429/5xx envelope waits its Retry-After, then all its items go again; an envelope that is not a
 *   batch answer is retried, then every item in it fails). The envelopes in flight adapt between
 *   MIN_ENVELOPES_IN_FLIGHT and the transport's concurrency (envelope-window.ts), or are exactly
 *   `concurrency` when the caller gives it; this generator only ever calls the transport, never the
 *   limiter itself.
 * - Each item is judged on its own (judgeItem): Graph checks and throttles every sub-request
 *   individually and says to retry only the failed ones after their Retry-After
 *   (https://learn.microsoft.com/graph/throttling#throttling-and-batching). A waiting item goes into
 *   a later envelope once its own Retry-After (or backoff) has passed; other items go on meanwhile.
 * - A throttled item (429, or 500/502/503 with Retry-After) also closes the shared throttle window
 *   for its Retry-After (unless `shareItemThrottling: false`). The sub-request was counted against
 *   the same app+tenant budget as a plain request (graph-facts 3.2, 3.4), so the next request of any
 *   kind inside that window would only earn another 429 and spend more of the budget; Graph's own
 *   advice is to retry "after the longest retry-after value", which the shared window gives. The
 *   items that were answered go on at once in every other respect: their pages are yielded and
 *   their next links queued; a 504 or a backoff without Retry-After holds up only its own item.
 * - Memory: items are taken from `requests` only while fewer than `maxPending` are unfinished, and no
 *   envelope is started while results wait for the consumer, so pages never pile up.
 *
 * Throws UsageError for bad options, a duplicate key or a URL that cannot go in a batch (for an
 * array, at the call, before anything is sent; for another iterable, when the item is reached), and
 * InterruptedError when the transport's run signal stops the run.
 */
export function batchPages(
  transport: BatchTransport,
  requests: Iterable<BatchRequest> | AsyncIterable<BatchRequest>,
  options: BatchPagesOptions = {},
): AsyncGenerator<BatchResult, void, undefined> {
  const batchSize = options.batchSize ?? MAX_BATCH_SIZE;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_BATCH_SIZE) {
    throw new UsageError(`batchSize must be a whole number from 1 to ${MAX_BATCH_SIZE}, not ${batchSize}.`);
  }
  const concurrency = options.concurrency ?? transport.shared.concurrency;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new UsageError(`concurrency must be a whole number of at least 1, not ${concurrency}.`);
  const maxPending = options.maxPending ?? batchSize * concurrency * 2;
  if (!Number.isInteger(maxPending) || maxPending < 1) throw new UsageError(`maxPending must be a whole number of at least 1, not ${maxPending}.`);
  const admit = admitter(transport.shared.graphEndpoint);
  if (Array.isArray(requests)) {
    // Checked whole before any request, so a bad list sends nothing.
    const check = admitter(transport.shared.graphEndpoint);
    for (const request of requests as BatchRequest[]) check(request);
  }
  return run(transport, requests, { ...options, batchSize, concurrency, maxPending, fixedConcurrency: options.concurrency !== undefined }, admit);
}

type Resolved = BatchPagesOptions & { batchSize: number; concurrency: number; maxPending: number; fixedConcurrency: boolean };

/** Validates one input request and turns it into an item; refuses a key seen before. */
function admitter(graphEndpoint: string): (request: BatchRequest) => BatchItem {
  const seen = new Set<string>();
  return (request) => {
    if (typeof request?.key !== 'string' || typeof request.url !== 'string') {
      throw new UsageError('every batch request needs a string key and a string url.');
    }
    if (seen.has(request.key)) throw new UsageError(`the batch request key '${request.key}' is given twice; keys must be unique.`);
    seen.add(request.key);
    const url = batchUrlOf(request.url, graphEndpoint);
    if (url === undefined) {
      throw new UsageError(`the batch request '${request.key}' has URL ${request.url}: give a path under the version root, e.g. /users?$select=id.`);
    }
    return { key: request.key, url, headers: request.headers, retries: 0, throttledRetries: 0, tokenRefreshed: false, notBefore: 0 };
  };
}

async function* run(
  transport: BatchTransport,
  requests: Iterable<BatchRequest> | AsyncIterable<BatchRequest>,
  options: Resolved,
  admit: (request: BatchRequest) => BatchItem,
): AsyncGenerator<BatchResult, void, undefined> {
  const { time, retry, signal, graphEndpoint, pacing } = transport.shared;
  const shareThrottling = options.shareItemThrottling ?? true;
  const source: Iterator<BatchRequest> | AsyncIterator<BatchRequest> =
    Symbol.asyncIterator in requests ? requests[Symbol.asyncIterator]() : requests[Symbol.iterator]();
  let sourceDone = false;
  const window = options.fixedConcurrency
    ? new EnvelopeWindow(options.concurrency, options.concurrency, options.concurrency, true)
    : new EnvelopeWindow(MIN_ENVELOPES_IN_FLIGHT, options.concurrency, INITIAL_ENVELOPES_IN_FLIGHT);
  /** Items to send now, continuing items first. */
  const ready: BatchItem[] = [];
  /** Items waiting out their own Retry-After or backoff. */
  const waiting: BatchItem[] = [];
  let unfinished = 0;
  const inFlight = new Set<Promise<void>>();
  const results: BatchResult[] = [];
  let fatal: unknown;
  let closed = false;

  const count = (key: Exclude<keyof TransportStats, 'batchItems'>, n = 1) => {
    transport.stats[key] += n;
    if (options.stats) options.stats[key] += n;
  };
  const countItems = (n: number) => {
    transport.stats.batchItems = (transport.stats.batchItems ?? 0) + n;
    if (options.stats) options.stats.batchItems = (options.stats.batchItems ?? 0) + n;
  };
  const finish = (result: BatchResult) => {
    results.push(result);
    unfinished -= 1;
  };
  const absolute = (item: BatchItem) => `${graphEndpoint}/v1.0${item.url}`;

  /** Puts an item aside until `waitMs` from now; counts (a 429 apart) and announces the retry. */
  const retryLater = (item: BatchItem, waitMs: number, reason: string, throttled = false) => {
    if (throttled) item.throttledRetries += 1;
    else item.retries += 1;
    item.notBefore = time.now() + waitMs;
    count('retries');
    transport.shared.emit({ type: 'retry', url: absolute(item), attempt: attemptsOf(item), reason, waitMs });
    waiting.push(item);
  };

  const settle = (batch: BatchItem[], responses: BatchSubResponse[]) => {
    // Correlated by id: Graph may answer in any order (https://learn.microsoft.com/graph/json-batching).
    const byId = new Map(responses.map((r) => [r.id, r]));
    const continuing: BatchItem[] = [];
    let refresh = false;
    const ctx = { graphEndpoint, retry, now: time.now(), random: time.random };
    batch.forEach((item, i) => {
      const answer = byId.get(String(i + 1));
      const verdict = judgeItem(item, answer, ctx);
      // Each item is charged and throttled on its own (graph-facts 3.4): the pacing learns from each.
      // (Without a shared window, a throttled item holds up nobody else: the pacing is not told either.)
      if (pacing && answer && (shareThrottling || answer.status !== 429)) {
        pacing.observe({
          url: item.url, estimated: pacing.costOf('GET', item.url), status: answer.status, header: (name) => itemHeader(answer, name),
          ...(verdict.kind === 'retry' && verdict.opensWindow ? { throttledForMs: verdict.waitMs } : {}),
        }, true);
      }
      switch (verdict.kind) {
        case 'page':
          results.push({ key: item.key, page: verdict.page });
          if (verdict.next === undefined) {
            finish({ key: item.key, done: true });
          } else {
            // A new page is a new request with a budget of its own, as pages() gives each GET.
            Object.assign(item, { url: verdict.next, retries: 0, throttledRetries: 0, tokenRefreshed: false, notBefore: 0 });
            continuing.push(item);
          }
          return;
        case 'refresh-token':
          item.tokenRefreshed = true;
          refresh = true;
          count('retries');
          transport.shared.emit({ type: 'retry', url: absolute(item), attempt: attemptsOf(item) + 1, reason: '401', waitMs: 0 });
          continuing.push(item);
          return;
        case 'retry':
          if (verdict.opensWindow) {
            count('throttled');
            if (shareThrottling) transport.shared.pauseUntil(time.now() + verdict.waitMs);
            transport.shared.emit({ type: 'throttled', url: absolute(item), waitMs: verdict.waitMs, status: verdict.status ?? 0 });
          }
          retryLater(item, verdict.waitMs, verdict.reason, verdict.throttled);
          return;
        case 'not-found':
          finish({ key: item.key, notFound: true, requestId: verdict.requestId, graphCode: verdict.graphCode });
          return;
        case 'error':
          finish({ key: item.key, error: verdict.error });
          return;
      }
    });
    if (refresh) {
      // Once per envelope however many items were refused: one fresh token serves them all.
      transport.shared.invalidateToken();
      transport.shared.emit({ type: 'token-refresh' });
    }
    ready.unshift(...continuing);
  };

  const failBatch = (batch: BatchItem[], err: unknown) => {
    if (err instanceof InterruptedError || signal?.aborted) {
      fatal ??= signal?.aborted ? interruptedBy(signal) : err;
      return;
    }
    // The old throttling doc has a throttled batch fail whole with 424 (graph-facts 3.4): its items
    // were not refused, so they go again within their own budgets.
    if (err instanceof GraphError && err.status === 424) {
      for (const item of batch) {
        if (item.retries >= retry.maxRetries) finish({ key: item.key, error: err });
        else retryLater(item, backoffDelay(attemptsOf(item), retry, time.random), '424 (whole batch)');
      }
      return;
    }
    const error =
      err instanceof EntraExtractError
        ? err
        : new GraphError('GRAPH_REQUEST_FAILED', `POST $batch failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    for (const item of batch) finish({ key: item.key, error });
  };

  const send = (batch: BatchItem[]) => {
    const body = batchRequestBody(
      batch.map((item, i) => ({ id: String(i + 1), url: item.url, headers: mergeHeaders(options.headers, item.headers) })),
    );
    countItems(batch.length);
    // The envelope costs what its items cost (graph-facts 3.4: each is counted on its own).
    const cost = pacing ? batch.reduce((sum, item) => sum + pacing.costOf('GET', item.url), 0) : undefined;
    const done: Promise<void> = transport
      .post('/$batch', body, { stats: options.stats, accept: batchEnvelopeProblem, cost, bulk: true })
      .then(
        (response) => {
          if (!closed) settle(batch, (response.body as { responses: BatchSubResponse[] }).responses);
        },
        (err: unknown) => {
          if (!closed) failBatch(batch, err);
        },
      )
      .finally(() => {
        inFlight.delete(done);
        window.settled();
      });
    inFlight.add(done);
  };

  /** Takes items from the input while fewer than maxPending are unfinished. */
  const fill = async () => {
    while (!sourceDone && unfinished < options.maxPending) {
      const next = await source.next();
      if (next.done) {
        sourceDone = true;
        return;
      }
      ready.push(admit(next.value));
      unfinished += 1;
    }
  };

  /** Starts envelopes while there is room, items to send and no backlog of results. */
  const launch = () => {
    const now = time.now();
    for (let i = 0; i < waiting.length; ) {
      if (waiting[i]!.notBefore <= now) ready.push(...waiting.splice(i, 1));
      else i += 1;
    }
    while (inFlight.size < window.size && ready.length > 0 && results.length < options.batchSize) {
      send(ready.splice(0, options.batchSize));
    }
  };

  /** Waits until an envelope settles or, with room for another, the first waiting item is due. */
  const nextEvent = async () => {
    const races: Array<Promise<unknown>> = [...inFlight];
    const wake = new AbortController();
    if (waiting.length > 0 && inFlight.size < window.size) {
      const due = Math.min(...waiting.map((item) => item.notBefore));
      const nap = sleepUnlessStopped(time.sleep, Math.max(0, due - time.now()), anySignal(signal, wake.signal));
      nap.catch(() => undefined); // a nap that lost the race is cut short by wake; nobody awaits it then
      races.push(nap);
    }
    if (races.length === 0) throw new Error('batchPages has unfinished items but nothing to wait for');
    if (signal) races.push(stopped(signal, wake.signal));
    try {
      await Promise.race(races);
    } catch (err) {
      if (signal?.aborted) throw interruptedBy(signal);
      if (!wake.signal.aborted) throw err;
    } finally {
      wake.abort(); // ends the timer of a sleep that lost the race
    }
  };

  try {
    for (;;) {
      if (fatal !== undefined) throw fatal;
      throwIfStopped(signal);
      await fill();
      launch();
      if (results.length > 0) {
        yield results.shift()!;
        continue;
      }
      if (unfinished === 0 && sourceDone) return;
      window.waiting(inFlight.size, ready.length > 0);
      await nextEvent();
    }
  } finally {
    // Envelopes still in flight settle into nothing; their rejections are already handled.
    closed = true;
    if (!sourceDone) await source.return?.();
  }
}

/** A sub-response header, by its lower-case name (Graph sends them in any case). */
function itemHeader(answer: BatchSubResponse, name: string): string | null {
  for (const [k, v] of Object.entries(answer.headers ?? {})) if (k.toLowerCase() === name) return String(v);
  return null;
}

function mergeHeaders(common?: Record<string, string>, own?: Record<string, string>): Record<string, string> | undefined {
  if (!common && !own) return undefined;
  return { ...common, ...own };
}

/** Aborts when either signal does. A plain listener, not AbortSignal.any (see abort.ts attemptSignal). */
function anySignal(run: AbortSignal | undefined, local: AbortSignal): AbortSignal {
  if (!run) return local;
  const controller = new AbortController();
  const onAbort = () => {
    controller.abort();
    run.removeEventListener('abort', onAbort);
    local.removeEventListener('abort', onAbort);
  };
  if (run.aborted || local.aborted) controller.abort();
  else {
    run.addEventListener('abort', onAbort, { once: true });
    local.addEventListener('abort', onAbort, { once: true });
  }
  return controller.signal;
}

/** Rejects with InterruptedError when the run stops; settles quietly when `until` aborts first. */
function stopped(run: AbortSignal, until: AbortSignal): Promise<never> {
  return new Promise<never>((_, reject) => {
    if (run.aborted) return reject(interruptedBy(run));
    const onStop = () => {
      until.removeEventListener('abort', onDone);
      reject(interruptedBy(run));
    };
    const onDone = () => run.removeEventListener('abort', onStop);
    run.addEventListener('abort', onStop, { once: true });
    until.addEventListener('abort', onDone, { once: true });
  });
}
