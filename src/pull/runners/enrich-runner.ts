import { enrichEntity } from '../../store/index.js';
import type { EnrichStep } from '../connector.js';
import type { Runner, RunnerEnv } from './runner.js';

/**
 * enrich steps: a Graph list whose objects update one key of rows another collection owns. A row
 * that is not there is not created; nothing is tombstoned; no change is recorded.
 */
export function enrichRunner(step: EnrichStep, env: RunnerEnv): Runner {
  const query = step.url(env.context);
  return {
    query,
    tracking: 'list',
    freshToken: query,
    async *units(start) {
      const link = start.kind === 'resume' ? start.token : query;
      for await (const page of env.readPages(link, env.stats, 'list')) {
        const objects = page.value;
        yield {
          page: true,
          apply: (db) => {
            let n = 0;
            for (const obj of objects) {
              const v = step.value(obj);
              if (v && enrichEntity(db, step.entityType, v.id, step.key, v.value)) n++;
            }
            return { upserts: n };
          },
          ...(page.nextLink ? { resume: page.nextLink } : { end: {} }),
        };
      }
    },
  };
}
