/**
 * What else lives in the DynamoDB checkpoint table besides checkpoints: the run history
 * (`#run#…`, run-history-dynamodb.ts) and the spend ledger (`$twitter-poller:…`,
 * dynamodb-spend-ledger.ts). Listing, status and `migrate` read checkpoints only.
 */
import { HISTORY_KEY_PREFIX } from './run-history-query.js';

/** Key prefix of the spend ledger's items. */
export const SPEND_KEY_PREFIX = '$twitter-poller:';

/** True for the key of a stream's checkpoint item, false for the history's and the ledger's. */
export function isCheckpointKey(key: string): boolean {
  return !key.startsWith(HISTORY_KEY_PREFIX) && !key.startsWith(SPEND_KEY_PREFIX);
}
