import type { SubscribeRequest } from './geyser-client.js';
import { emptyRequest } from './geyser-feed.js';

/** geyser.proto's `CommitmentLevel`, as numbers: a value import would load the native client. */
const PROCESSED = 0;
const CONFIRMED = 1;

/**
 * The live source's filters: every watched account (`watched`), slots at the subscription's
 * commitment (`slots`), and the successful, non-vote transactions that name a watched pool
 * (`pools`); `fromSlot` asks for a replay from that slot.
 */
export function subscribeRequest(o: {
  readonly accounts: readonly string[];
  readonly pools: readonly string[];
  readonly commitment: 'processed' | 'confirmed';
  readonly fromSlot: number | undefined;
}): SubscribeRequest {
  const request = emptyRequest();
  request.accounts.watched = { account: [...o.accounts], owner: [], filters: [] };
  request.slots.slots = { filterByCommitment: true };
  request.transactions.pools = {
    vote: false,
    failed: false,
    accountInclude: [...o.pools],
    accountExclude: [],
    accountRequired: [],
  };
  request.commitment = o.commitment === 'confirmed' ? CONFIRMED : PROCESSED;
  if (o.fromSlot !== undefined) request.fromSlot = String(o.fromSlot);
  return request;
}
