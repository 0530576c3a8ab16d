/**
 * Where a waiter joins a queue in which bulk work (a fan-out's `$batch` envelopes) goes last: a bulk
 * waiter at the end, any other ahead of the first bulk waiter. FIFO within each kind. Shared by the
 * concurrency limiter and the budget pacer, so that a page chain never queues behind a fan-out.
 */
export function bulkLastIndex(queue: readonly { bulk: boolean }[], bulk: boolean): number {
  if (bulk) return queue.length;
  const firstBulk = queue.findIndex((w) => w.bulk);
  return firstBulk < 0 ? queue.length : firstBulk;
}
