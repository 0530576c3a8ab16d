/**
 * The resume token of a full round read by listing (listing-runner.ts), saved with each committed
 * unit. A token without the prefix is a nextLink of the delta chain (a delta round, or a full round
 * that fell back to the chain).
 */
export interface ListingState {
  /** The deltaLink taken before the listing began (`$deltatoken=latest`): the next delta round starts there. */
  baseline: string;
  /** The objects' next page; absent once every object page is written. */
  objects?: string;
  /** Once the objects are written: every parent up to this id (in id order) has all its sub-collections written. */
  cursor?: string;
}

const PREFIX = 'listing:';

/** The token of a listing round that has not taken its baseline yet. */
export const FRESH_LISTING = PREFIX;

export function encodeListing(state: ListingState): string {
  return PREFIX + JSON.stringify(state);
}

/** 'fresh', the saved state, or undefined when the token is not a listing's (a delta-chain link). */
export function decodeListing(token: string): ListingState | 'fresh' | undefined {
  if (!token.startsWith(PREFIX)) return undefined;
  if (token === PREFIX) return 'fresh';
  const state = JSON.parse(token.slice(PREFIX.length)) as ListingState;
  if (typeof state?.baseline !== 'string') throw new Error(`a listing resume token without its baseline: ${token.slice(0, 80)}`);
  return state;
}
