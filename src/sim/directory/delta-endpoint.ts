import { graphError, type ResponseContext } from '../graph/graph-error.js';
import { planPages, type Part, type RoundItem } from '../graph/rounds.js';
import { renderObjectStart, renderRemoved } from '../graph/render.js';
import { parseIdFilter } from '../graph/properties.js';
import type { SimRequest, SimResponse } from '../sim-http.js';
import type { Rng } from '../tenant/prng.js';
import { parseDeltaSelect, type DeltaCollection, type DeltaSelection } from './catalogs.js';
import { deltaItems, fullItems, type DeltaView } from './delta-rounds.js';
import type { DirectoryData } from './directory-data.js';
import type { DirectoryResourceOptions } from './directory-resource-options.js';
import { MEMBER_READ_HIDDEN } from './permissions.js';
import { okJson } from './respond.js';
import { TokenStore } from './token-store.js';

interface Query {
  selection: DeltaSelection;
  filterRaw: string | null;
  filterIds: Set<string> | null;
}

/** One round: its content is fixed when it starts, then cut into pages of server-chosen sizes. */
interface Round extends Query {
  kind: DeltaCollection;
  /** The directory's sequence when the round started: its deltaLink resumes from here. */
  seq: number;
  items: RoundItem[];
  pages: Part[][];
  /** Tokens already handed out for page n, so a repeated request gives the same next link. */
  pageTokens: Map<number, string>;
  deltaToken?: string;
}

const KNOWN = new Set(['$select', '$filter', '$top', '$deltatoken', '$skiptoken']);
const q = JSON.stringify;

/**
 * GET /{servicePrincipals|applications|directoryRoles|administrativeUnits}/delta
 * (https://learn.microsoft.com/graph/delta-query-overview): full rounds, then changes since a
 * deltaLink, pages of server-chosen size with opaque $skiptoken nextLinks, the last page with a
 * $deltatoken deltaLink. $select (validated; `members` turns on members@delta for roles and units),
 * `$filter=id eq '…' or …`, `$deltatoken=latest`; $top is ignored as for users and groups.
 */
export class DeltaEndpoint {
  private readonly skip: TokenStore<{ round: Round; page: number }>;
  private readonly deltas: TokenStore<Query & { kind: DeltaCollection; seq: number }>;
  private readonly rounds: Round[] = [];

  constructor(private readonly d: DirectoryData, private readonly o: Required<DirectoryResourceOptions>, private readonly rng: Rng, now: () => number) {
    this.skip = new TokenStore(now, o.skipTokenTtlMs, o.maxSkipTokens);
    this.deltas = new TokenStore(now, o.deltaTokenTtlMs, o.maxDeltaTokens);
  }

  expireSkipTokens(): void {
    this.skip.expireAll();
  }

  expireDeltaTokens(): void {
    this.deltas.expireAll();
  }

  serve(kind: DeltaCollection, req: SimRequest, ctx: ResponseContext, roles: string[], origin: string): SimResponse {
    const params = new Map<string, string>();
    for (const [k, v] of req.url.searchParams) {
      if (!KNOWN.has(k.toLowerCase())) return graphError(400, 'Request_BadRequest', `Query option '${k}' is not supported for delta queries on ${kind}.`, ctx);
      params.set(k.toLowerCase(), v);
    }
    const skip = params.get('$skiptoken');
    if (skip !== undefined) {
      if (params.has('$select') || params.has('$filter') || params.has('$deltatoken')) {
        return graphError(400, 'Request_BadRequest', '$skiptoken cannot be combined with other query options.', ctx);
      }
      const st = this.skip.get(skip);
      if (!st || st.round.kind !== kind) {
        return graphError(400, 'Directory_ExpiredPageToken', 'The specified page token value has expired and can no longer be included in your request.', ctx);
      }
      return okJson(this.page(st.round, st.page, origin));
    }
    const dt = params.get('$deltatoken');
    if (dt !== undefined && dt !== '' && dt.toLowerCase() !== 'latest') {
      const state = this.deltas.get(dt);
      if (!state || state.kind !== kind) {
        return graphError(400, 'syncStateNotFound', 'The sync state generation is not found. The delta token is expired and data must be synchronized again.', ctx);
      }
      let selection = state.selection;
      if (params.has('$select')) {
        // Docs: $select with a deltaLink changes the tracked properties for Entra resources.
        const s = parseDeltaSelect(kind, params.get('$select')!);
        if (!s.ok) return graphError(400, 'Request_BadRequest', s.message, ctx);
        selection = s.value;
      }
      return okJson(this.page(this.start(kind, { ...state, selection }, roles, state.seq), 0, origin));
    }
    const s = parseDeltaSelect(kind, params.get('$select') ?? null);
    if (!s.ok) return graphError(400, 'Request_BadRequest', s.message, ctx);
    const filterRaw = params.get('$filter') ?? null;
    // Any number of ids: these resources document no limit (only the URL's length is one).
    const filterIds = filterRaw === null ? null : (parseIdFilter(filterRaw, Number.POSITIVE_INFINITY) ?? undefined);
    if (filterIds === undefined) {
      return graphError(400, 'Request_UnsupportedQuery', "Only 'id eq' filters joined with 'or' are supported for delta queries.", ctx);
    }
    const query: Query = { selection: s.value, filterRaw, filterIds };
    if (dt?.toLowerCase() === 'latest') {
      // "Sync from now": only a deltaLink, no data (graph-facts 1.1).
      const tok = this.deltas.issue({ ...query, kind, seq: this.d.clock.seq });
      return okJson(`{"@odata.context":${q(`${origin}/v1.0/$metadata#${kind}`)},"value":[],"@odata.deltaLink":${q(`${origin}/v1.0/${kind}/delta?$deltatoken=${tok}`)}}`);
    }
    return okJson(this.page(this.start(kind, query, roles, null), 0, origin));
  }

  private view(kind: DeltaCollection, roles: string[]): DeltaView {
    const d = this.d;
    const store = kind === 'servicePrincipals' ? d.registry.sps : kind === 'applications' ? d.registry.apps : kind === 'directoryRoles' ? d.roles.roles : d.units;
    const hidden = roles.includes(MEMBER_READ_HIDDEN);
    return { store, isLive: (id) => d.isLive(id), membersVisible: (rec) => hidden || rec.props.visibility !== 'HiddenMembership' };
  }

  private start(kind: DeltaCollection, query: Query, roles: string[], fromSeq: number | null): Round {
    const v = this.view(kind, roles);
    const items = fromSeq === null ? fullItems(v, query.selection, query.filterIds) : deltaItems(v, query.selection, query.filterIds, fromSeq);
    const pages = planPages(items, this.rng, { units: this.o.deltaPageUnits, emptyPageRate: 0, replayRate: 0, shuffle: this.o.shuffle });
    const round: Round = { ...query, kind, seq: this.d.clock.seq, items, pages, pageTokens: new Map() };
    this.rounds.push(round);
    // A dropped round's remaining nextLinks become unknown, which answers as expired.
    while (this.rounds.length > this.o.maxRounds) for (const tok of this.rounds.shift()!.pageTokens.values()) this.skip.delete(tok);
    return round;
  }

  private page(round: Round, page: number, origin: string): string {
    const base = `${origin}/v1.0/${round.kind}/delta`;
    let link: string;
    if (page < round.pages.length - 1) {
      let tok = round.pageTokens.get(page + 1);
      if (!tok) round.pageTokens.set(page + 1, (tok = this.skip.issue({ round, page: page + 1 })));
      link = `,"@odata.nextLink":${q(`${base}?$skiptoken=${tok}`)}`;
    } else {
      round.deltaToken ??= this.deltas.issue({ kind: round.kind, seq: round.seq, selection: round.selection, filterRaw: round.filterRaw, filterIds: round.filterIds });
      link = '';
    }
    const sel = round.selection;
    const ctxSel = sel.raw ? `(${[...sel.props, ...(sel.members ? ['members'] : [])].join(',')})` : '';
    const values = round.pages[page]!.map((p) => this.item(round, round.items[p.i]!, p));
    let out = `{"@odata.context":${q(`${origin}/v1.0/$metadata#${round.kind}${ctxSel}`)}${link},"value":[${values.join(',')}]`;
    if (!link) out += `,"@odata.deltaLink":${q(`${base}?$deltatoken=${round.deltaToken}`)}`;
    return out + '}';
  }

  /** One item, or one slice of an object's members (the object repeated with further slices on later pages). */
  private item(round: Round, item: RoundItem, p: Part): string {
    if (item.kind === 'removed') return renderRemoved(item);
    let s = renderObjectStart(item, round.selection.props);
    if (p.b > p.a) {
      const out: string[] = [];
      for (let i = p.a; i < p.b; i++) {
        const id = item.links[i]!;
        const type = this.d.typeOf(id) ?? 'directoryObject';
        out.push(`{"@odata.type":"#microsoft.graph.${type}","id":${q(id)}${item.removed?.has(i) ? ',"@removed":{"reason":"deleted"}' : ''}}`);
      }
      s += `,"members@delta":[${out.join(',')}]`;
    }
    return s + '}';
  }
}

