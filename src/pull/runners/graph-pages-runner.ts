import { GraphError } from '../../errors/index.js';
import { applyItems } from '../apply-page.js';
import type { DeltaStep, ListStep } from '../connector.js';
import type { Runner, RunnerEnv } from './runner.js';

/**
 * delta and list steps: the pages of one Graph collection, from the first request (or the saved
 * deltaLink, or the nextLink an unfinished round stopped at) to the page that ends the round.
 */
export function graphPagesRunner(step: DeltaStep | ListStep, env: RunnerEnv): Runner {
  const query = step.url(env.context);
  const kind = step.kind === 'delta' ? 'delta' : 'list';
  return {
    query,
    tracking: kind,
    freshToken: query,
    async *units(start) {
      const link = start.kind === 'fresh' ? query : start.kind === 'delta' ? start.link : start.token;
      for await (const page of env.readPages(link, env.stats, kind)) {
        if (page.nextLink === undefined && kind === 'delta' && page.deltaLink === undefined) {
          // The transport already refuses such pages; the engine never ends a delta round without proof.
          throw new GraphError('GRAPH_INVALID_RESPONSE', `${step.name}: a delta page with neither @odata.nextLink nor @odata.deltaLink (${link})`, {
            request: `GET ${link}`,
          });
        }
        const objects = page.value;
        yield {
          page: true,
          apply: (db, ctx) => applyItems(db, mapAll(objects, step), ctx),
          ...(page.nextLink ? { resume: page.nextLink } : { end: kind === 'delta' ? { deltaLink: page.deltaLink } : {} }),
        };
      }
    },
  };
}

function* mapAll(objects: readonly Record<string, unknown>[], step: DeltaStep | ListStep) {
  for (const obj of objects) {
    if (typeof obj.id !== 'string') continue;
    yield* step.map(obj);
  }
}
