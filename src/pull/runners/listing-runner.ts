import { GraphError } from '../../errors/index.js';
import type { BatchRequest } from '../../graph/index.js';
import { getSyncState, seenIdsAfter, touchAnchorRelations } from '../../store/index.js';
import { applyItems } from '../apply-page.js';
import { graphErrorKind } from '../graph-error-kind.js';
import type { DeltaStep, GraphObject, Listing } from '../connector.js';
import { graphPagesRunner } from './graph-pages-runner.js';
import { ListingRefused } from './listing-refused.js';
import { decodeListing, encodeListing, FRESH_LISTING, type ListingState } from './listing-token.js';
import type { RoundUnit, Runner, RunnerEnv } from './runner.js';

/** Parents read from the store at a time. */
const PARENT_CHUNK = 500;

/**
 * delta steps with a `listing`: delta rounds (and a round that fell back to the chain) are the delta
 * chain's (graph-pages-runner.ts); a full round reads by listing:
 * 1. the baseline: `GET <delta query>&$deltatoken=latest`, which returns a deltaLink and no data
 *    (https://learn.microsoft.com/graph/delta-query-overview#use-delta-query-to-track-changes-in-a-resource-collection);
 * 2. the objects by plain listing (`$select`, `$top=999`), a page per unit;
 * 3. every listed object's sub-collections (members, owners) through JSON `$batch`, in parent id
 *    order, all under the shared limiter and the identity budget; the resume token is the last
 *    parent up to which every parent's sub-collections are written (as fan-out steps do);
 * 4. the end, with the baseline as the round's deltaLink: the next delta round brings every change
 *    made since the baseline, including those the listing already saw (writes are idempotent).
 * A listing request Graph refuses (403, or 400 to its query: see refusal()), or a sub-collection Graph
 * may have cut short, throws ListingRefused:
 * the engine then reads the round through the delta chain instead.
 */
export function listingRunner(step: DeltaStep & { listing: Listing }, env: RunnerEnv, stateKey: string): Runner {
  const chain = graphPagesRunner(step, env);
  return {
    query: chain.query,
    tracking: 'delta',
    freshToken: FRESH_LISTING,
    async *units(start, mode) {
      if (start.kind === 'delta') {
        yield* chain.units(start, mode);
        return;
      }
      const state = decodeListing(start.kind === 'resume' ? start.token : FRESH_LISTING);
      if (state === undefined) {
        yield* chain.units(start, mode);
        return;
      }
      yield* listingUnits(step, step.listing, env, stateKey, chain.query, state === 'fresh' ? undefined : state);
    },
  };
}

async function* listingUnits(
  step: DeltaStep,
  listing: Listing,
  env: RunnerEnv,
  stateKey: string,
  deltaQuery: string,
  saved: ListingState | undefined,
): AsyncGenerator<RoundUnit> {
  const baseline = saved?.baseline ?? (await takeBaseline(env, deltaQuery));
  let objects = saved ? saved.objects : listing.objects(env.context);
  if (objects !== undefined) {
    try {
      for await (const page of env.readPages(objects, env.stats, 'list')) {
        const value = page.value;
        objects = page.nextLink;
        yield {
          page: true,
          resume: encodeListing(objects ? { baseline, objects } : { baseline, cursor: '' }),
          apply: (db, ctx) => applyItems(db, mapAll(value, (o) => listing.map(o)), ctx),
        };
      }
    } catch (error) {
      throw refusal(error, `${step.name}: ${listing.objects(env.context).split('?')[0]}`) ?? error;
    }
  }
  if (listing.links.length > 0) yield* linkUnits(listing, env, stateKey, baseline, saved?.cursor ?? '');
  yield { end: { deltaLink: baseline, read: 'listing' }, apply: () => ({}) };
}

/** The deltaLink that makes "now" the start of the next delta round. */
async function takeBaseline(env: RunnerEnv, deltaQuery: string): Promise<string> {
  const url = `${deltaQuery}${deltaQuery.includes('?') ? '&' : '?'}$deltatoken=latest`;
  let baseline: string | undefined;
  // Documented to return no data; a page with objects would only repeat what the listing reads.
  for await (const page of env.readPages(url, env.stats, 'delta')) baseline = page.deltaLink ?? baseline;
  if (!baseline) throw new GraphError('GRAPH_INVALID_RESPONSE', `GET ${url} ended without an @odata.deltaLink`, { request: `GET ${url}` });
  return baseline;
}

/**
 * Every sub-collection of every parent this round listed, through $batch. A parent that answers 404
 * was deleted after it was listed: its links stay as they are (counted as seen), and the next delta
 * round, which starts at the baseline, says what became of it.
 */
async function* linkUnits(listing: Listing, env: RunnerEnv, stateKey: string, baseline: string, from: string): AsyncGenerator<RoundUnit> {
  const readBatch = env.readBatch;
  if (!readBatch) throw new Error(`${listing.parentType}: no batch reader`);
  const roundStart = getSyncState(env.db, stateKey)?.round_start_run;
  if (roundStart === undefined || roundStart === null) throw new Error(`${stateKey}: a listing round without its start`);
  const byName = new Map(listing.links.map((l) => [l.name, l]));
  let cursor = from;
  /** Parents sent and not finished, in id order; finished ones leave from the front. */
  const open: string[] = [];
  /** Sub-collections each open parent still waits for. */
  const waiting = new Map<string, number>();
  const finishOne = (id: string) => {
    waiting.set(id, waiting.get(id)! - 1);
    while (open.length > 0 && waiting.get(open[0]!) === 0) {
      cursor = open.shift()!;
      waiting.delete(cursor);
    }
  };
  const requests = async function* (): AsyncGenerator<BatchRequest> {
    let after = cursor;
    for (;;) {
      const ids = seenIdsAfter(env.db, listing.parentType, after, roundStart, PARENT_CHUNK);
      for (const id of ids) {
        open.push(id);
        waiting.set(id, listing.links.length);
        for (const l of listing.links) yield { key: `${l.name} ${id}`, url: l.url(id) };
      }
      if (ids.length < PARENT_CHUNK) return;
      after = ids[ids.length - 1]!;
    }
  };
  const token = () => encodeListing({ baseline, cursor });
  for await (const r of readBatch(requests(), env.stats)) {
    const space = r.key.indexOf(' ');
    const links = byName.get(r.key.slice(0, space))!;
    const parent = r.key.slice(space + 1);
    if ('page' in r) {
      const value = r.page.value as GraphObject[];
      if (links.unpagedCap !== undefined && r.page.nextLink === undefined && value.length >= links.unpagedCap) {
        throw new ListingRefused(`${listing.parentType} ${parent} answered ${value.length} ${links.name}, Graph's cap for a list it does not page, so the list may be cut short`);
      }
      yield { page: true, resume: token(), apply: (db, ctx) => applyItems(db, mapAll(value, (o) => links.map(o, parent)), ctx) };
    } else if ('done' in r) {
      finishOne(parent);
      yield { resume: token(), apply: () => ({}) };
    } else if ('notFound' in r) {
      finishOne(parent);
      yield { resume: token(), apply: (db, ctx) => (touchAnchorRelations(db, links.scope, parent, ctx.runId), {}) };
    } else {
      throw refusal(r.error, `${listing.parentType} ${parent} ${links.name}`) ?? r.error;
    }
  }
}

/**
 * Graph refusing a listing request refuses the listing; the delta chain may still be allowed:
 * - 403: a permission the listing needs and the delta function does not (a unit's hidden members);
 * - 400 other than an expired skip token (which restarts the round, graph-error-kind.ts): Graph does
 *   not accept the listing's query (an option a national cloud or a later Graph refuses). Sent again
 *   it would be refused again, and every full round would fail; the chain reads the same state its
 *   own way (and a skip token that expired with another code only costs the chain's time).
 */
function refusal(error: unknown, what: string): ListingRefused | undefined {
  if (!(error instanceof GraphError)) return undefined;
  const refused = error.status === 403 || (error.status === 400 && graphErrorKind(error) === 'fatal');
  if (!refused) return undefined;
  return new ListingRefused(`${[String(error.status), error.graphCode].filter(Boolean).join(' ')} on ${what}`, { cause: error });
}

function* mapAll(objects: readonly GraphObject[], map: (o: GraphObject) => ReturnType<Listing['map']>) {
  for (const obj of objects) {
    if (typeof obj.id !== 'string') continue;
    yield* map(obj);
  }
}
