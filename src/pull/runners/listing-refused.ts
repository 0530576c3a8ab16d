/**
 * Graph refused a full round's listing (403 on a listing request: e.g. a unit with hidden membership
 * without Member.Read.Hidden), or a listing cannot prove itself complete (an unpaged sub-collection at
 * its cap). The engine forgets what the listing saw and reads the round through the delta chain.
 */
export class ListingRefused extends Error {
  constructor(readonly reason: string, options?: { cause?: unknown }) {
    super(`the listing was refused: ${reason}`, options);
    this.name = 'ListingRefused';
  }
}
