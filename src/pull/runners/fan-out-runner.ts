import type { BatchRequest } from '../../graph/index.js';
import { liveIdsAfter, markTargetRelationsDeleted } from '../../store/index.js';
import { applyItems } from '../apply-page.js';
import type { FanOutStep } from '../connector.js';
import type { RoundUnit, Runner, RunnerEnv } from './runner.js';

/** Parents read from the store at a time. */
const PARENT_CHUNK = 500;

/**
 * fanOut steps: one sub-collection per live stored parent, in parent id order, through JSON `$batch`
 * (batchPages: 20 a batch, each item retried on its own, every nextLink followed). Items complete in
 * any order; the round's resume token is the last parent up to which every parent is finished, so a
 * crash resumes from there (parents after it that had finished are read again: writes are idempotent).
 * A parent that answers 404 was deleted in between: its links go (`parentLinks`). Any other failed
 * item fails the round, which then tombstones nothing.
 */
export function fanOutRunner(step: FanOutStep, env: RunnerEnv): Runner {
  const query = `fanOut ${step.parentType} ${step.url('{id}', env.context)}`;
  return {
    query,
    tracking: 'list',
    freshToken: '',
    async *units(start) {
      const readBatch = env.readBatch;
      if (!readBatch) throw new Error(`${step.name}: no batch reader`);
      let cursor = start.kind === 'resume' ? start.token : '';
      /** Parents sent and not finished, in id order; finished ones leave from the front. */
      const open: string[] = [];
      const finished = new Set<string>();
      const finish = (id: string) => {
        finished.add(id);
        while (open.length > 0 && finished.has(open[0]!)) {
          cursor = open.shift()!;
          finished.delete(cursor);
        }
      };
      const requests = async function* (): AsyncGenerator<BatchRequest> {
        let after = cursor;
        for (;;) {
          const ids = liveIdsAfter(env.db, step.parentType, after, PARENT_CHUNK);
          for (const id of ids) {
            open.push(id);
            yield { key: id, url: step.url(id, env.context) };
          }
          if (ids.length < PARENT_CHUNK) return;
          after = ids[ids.length - 1]!;
        }
      };
      for await (const r of readBatch(requests(), env.stats)) {
        if ('page' in r) {
          const objects = r.page.value as Record<string, unknown>[];
          const parent = r.key;
          yield {
            page: true,
            resume: cursor,
            apply: (db, ctx) => applyItems(db, mapAll(objects, parent, step), ctx),
          } satisfies RoundUnit;
        } else if ('done' in r) {
          finish(r.key);
          yield { resume: cursor, apply: () => ({}) };
        } else if ('notFound' in r) {
          const links = step.parentLinks(r.key);
          finish(r.key);
          yield { resume: cursor, apply: (db, ctx) => ({ links_deleted: markTargetRelationsDeleted(db, links, { runId: ctx.runId, at: ctx.at }) }) };
        } else {
          throw r.error;
        }
      }
      yield { end: {}, apply: () => ({}) };
    },
  };
}

function* mapAll(objects: readonly Record<string, unknown>[], parentId: string, step: FanOutStep) {
  for (const obj of objects) {
    if (typeof obj.id !== 'string') continue;
    yield* step.map(obj, parentId);
  }
}
