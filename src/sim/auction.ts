/** A bundle as the block engine's auction sees it. */
export interface AuctionBid {
  readonly tip: bigint;
  /** When it reached the block engine; earlier wins a tie on tip. */
  readonly arrivedAt: number;
  /** Unique, increasing in submission order: the last tie-break. */
  readonly seq: number;
  /** Pools it writes: bundles sharing one conflict. */
  readonly pools: readonly string[];
}

export type AuctionResult = 'landed' | 'auction_lost' | 'reverted';

/**
 * One auction tick of the block engine, for bundles that reached it in time and passed the
 * minimum-tip check. Bids go in order of tip (highest first; ties by arrival, then sequence).
 * A bid below the tick's clearing tip loses (other searchers' bundles took the block space); a
 * bid writing a pool that a higher bid already landed on loses (conflicting bundles: only the
 * highest tip lands). Otherwise `execute` simulates it atomically against current state and
 * commits it when every leg passes; a failing bundle is dropped whole (`reverted`: it pays
 * nothing) and locks nothing. Returns each bid's result, in the order run.
 */
export function runAuction<B extends AuctionBid>(
  bids: readonly B[],
  clearingTip: bigint,
  execute: (bid: B) => boolean,
): [B, AuctionResult][] {
  const ordered = [...bids].sort(byPriority);
  const locked = new Set<string>();
  const results: [B, AuctionResult][] = [];
  for (const bid of ordered) {
    if (bid.tip < clearingTip || bid.pools.some((p) => locked.has(p))) {
      results.push([bid, 'auction_lost']);
      continue;
    }
    if (!execute(bid)) {
      results.push([bid, 'reverted']);
      continue;
    }
    for (const p of bid.pools) locked.add(p);
    results.push([bid, 'landed']);
  }
  return results;
}

function byPriority(a: AuctionBid, b: AuctionBid): number {
  if (a.tip !== b.tip) return a.tip > b.tip ? -1 : 1;
  if (a.arrivedAt !== b.arrivedAt) return a.arrivedAt - b.arrivedAt;
  return a.seq - b.seq;
}
