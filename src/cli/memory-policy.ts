import { setFlagsFromString } from 'node:v8';

/**
 * How far V8 lets the old generation grow past what survived the last full collection before it
 * collects again, in percent. V8 picks up to 4× by itself (MemoryController::GrowingFactor in
 * v8/src/heap/heap-controller.cc, which reads `--heap-growing-percent` at every full collection).
 * A pull keeps little alive (about 35 MB on the benchmark tenant) but parses pages at a high rate,
 * many of them alive just long enough to be promoted: with V8's own factor its heap swung between
 * 35 and 180 MB and peaked at 326 MB RSS; at 1.5× it peaked at 232 MB in the same wall time
 * (README, Performance).
 */
export const HEAP_GROWING_PERCENT = 50;

/** The V8 flags the command sets at start: none that the node command line already sets. */
export function memoryFlags(execArgv: readonly string[]): string[] {
  const set = execArgv.some((arg) => /^--heap[-_]growing[-_]percent(=|$)/.test(arg));
  return set ? [] : [`--heap-growing-percent=${HEAP_GROWING_PERCENT}`];
}

/**
 * Sets them. Called once by the executable, before any work: the flag is read at each full
 * collection, so it holds from the first one on. (Node allows flags to change after start,
 * https://nodejs.org/api/v8.html#v8setflagsfromstringflags, with the warning that a flag read only
 * at start may do nothing; this one is not.)
 */
export function applyMemoryPolicy(execArgv: readonly string[] = process.execArgv): void {
  for (const flag of memoryFlags(execArgv)) setFlagsFromString(flag);
}
