/**
 * What else lives in the DynamoDB checkpoint table besides checkpoints: the run history
 * (`#run#…`, run-history-dynamodb.ts), the spend ledger (`$twitter-poller:…`,
 * dynamodb-spend-ledger.ts) and the shared rate budget (`#rate-budget#…`, dynamodb-rate-budget.ts).
 * Listing, status and `migrate` read checkpoints only.
 */
import { HISTORY_KEY_PREFIX } from './run-history-query.js';

/** Key prefix of the spend ledger's items. */
export const SPEND_KEY_PREFIX = '$twitter-poller:';

/** Key prefix of the shared rate budget's items (one per endpoint). */
export const RATE_BUDGET_KEY_PREFIX = '#rate-budget#';

/** True for the key of a stream's checkpoint item, false for the history's, the ledger's and the budget's. */
export function isCheckpointKey(key: string): boolean {
  return (
    !key.startsWith(HISTORY_KEY_PREFIX) &&
    !key.startsWith(SPEND_KEY_PREFIX) &&
    !key.startsWith(RATE_BUDGET_KEY_PREFIX)
  );
}
