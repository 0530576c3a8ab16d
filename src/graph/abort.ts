import { InterruptedError } from '../errors/index.js';

/** The error a stopped run gets from the transport; the signal's reason names what stopped it (SIGINT, SIGTERM). */
export function interruptedBy(signal: AbortSignal): InterruptedError {
  return new InterruptedError(String(signal.reason ?? 'a signal'));
}

/** Throws InterruptedError when the run was stopped, so no request starts after a stop. */
export function throwIfStopped(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw interruptedBy(signal);
}

/**
 * Settles with `work`, or rejects with the signal's reason as soon as it aborts, whichever is first.
 * Not every step obeys a signal (a token request, a mocked body stream), and a stop must not wait for
 * them. The abandoned `work` keeps a handler, so its later failure is never an unhandled rejection.
 */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  work.catch(() => undefined);
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}

/** Sleeps, unless the run stops first: then rejects with InterruptedError at once. */
export async function sleepUnlessStopped(
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>,
  ms: number,
  signal: AbortSignal | undefined,
): Promise<void> {
  throwIfStopped(signal);
  try {
    await untilAborted(sleep(ms, signal), signal);
  } catch (err) {
    if (signal?.aborted) throw interruptedBy(signal);
    throw err;
  }
}

/** The signal of one attempt: aborts when the run stops or the attempt takes longer than its timeout. */
export interface AttemptSignal {
  readonly signal: AbortSignal;
  /** True once the per-attempt timeout fired (a stall: retried like a reset). */
  readonly timedOut: boolean;
  /** Drops the timer and the listener on the run's signal; call when the attempt is over. */
  dispose(): void;
}

/**
 * Combines the run's stop signal with a per-attempt timeout. Built by hand rather than with
 * AbortSignal.any: Node keeps every signal combined with a long-lived one (the run's) until that one
 * aborts (https://github.com/nodejs/node/issues/55351), and a pull makes one per request.
 */
export function attemptSignal(run: AbortSignal | undefined, timeoutMs: number): AttemptSignal {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new DOMException(`no complete answer within ${timeoutMs} ms`, 'TimeoutError'));
  }, timeoutMs);
  timer.unref();
  const onStop = () => controller.abort(run!.reason);
  if (run?.aborted) onStop();
  else run?.addEventListener('abort', onStop, { once: true });
  return {
    signal: controller.signal,
    get timedOut() {
      return timedOut;
    },
    dispose() {
      clearTimeout(timer);
      run?.removeEventListener('abort', onStop);
    },
  };
}
