/**
 * Where the checkpoint lives in a DynamoDB item, and which attributes it shares with the poller this
 * project replaces. The old poller kept one item per stream, keyed by a string attribute (`stream` by
 * default), holding the last id as a string (`since_id` by default). This poller keeps its numeric
 * frontier beside that string and rewrites the string with every commit, so the old poller can take
 * over again (a rollback) from exactly where this one stopped.
 *
 *   <key> S │ <legacy since_id> S │ frontier_since_id N │ schema_version N │ sweep_* │ user_id │ ...
 *   (old poller's)  (old poller's)  └──────────────── this poller's ────────────────────┘
 */
import { ConfigError } from '../../core/errors.js';

/** The numeric since_id of the frontier (DynamoDB compares `N` values exactly, up to 38 digits). */
export const FRONTIER_SINCE_ID = 'frontier_since_id';

/** The lease attributes, kept on the checkpoint item so one condition checks lease and frontier. */
export const LEASE_ATTRIBUTES = ['lease_owner', 'lease_fence', 'lease_expires_at_ms'] as const;

/** Attributes of the checkpoint itself (removed by a reset, together with the legacy attribute). */
export const CHECKPOINT_ATTRIBUTES = [
  'schema_version',
  FRONTIER_SINCE_ID,
  'sweep_newest_id',
  'sweep_until_id',
  'sweep_next_token',
  'user_id',
  'fair_lag',
  'updated_at',
  'writer',
] as const;

/** The attribute names of a checkpoint table. */
export interface CheckpointLayout {
  /** The table's partition key (a string holding the stream name). @default 'stream' */
  readonly keyAttribute: string;
  /** The old poller's string since_id, rewritten with every commit. @default 'since_id' */
  readonly legacySinceIdAttribute: string;
}

/** The layout of a table this project created, and of the old poller's by default. */
export const DEFAULT_LAYOUT: CheckpointLayout = {
  keyAttribute: 'stream',
  legacySinceIdAttribute: 'since_id',
};

const OWN_ATTRIBUTES: readonly string[] = [...CHECKPOINT_ATTRIBUTES, ...LEASE_ATTRIBUTES];

/**
 * Validates a layout; `settings` names the two settings (env variable or flag) for the error.
 * Throws ConfigError naming the bad setting.
 */
export function checkLayout(
  layout: CheckpointLayout,
  settings: { readonly key: string; readonly legacy: string },
): CheckpointLayout {
  const check = (value: string, setting: string) => {
    if (!/^[^\s]{1,255}$/.test(value)) {
      throw new ConfigError(`invalid ${setting}: must be an attribute name of 1 to 255 characters`, setting);
    }
    if (OWN_ATTRIBUTES.includes(value)) {
      throw new ConfigError(
        `invalid ${setting}: "${value}" is an attribute this poller writes itself`,
        setting,
      );
    }
  };
  check(layout.keyAttribute, settings.key);
  check(layout.legacySinceIdAttribute, settings.legacy);
  if (layout.keyAttribute === layout.legacySinceIdAttribute) {
    throw new ConfigError(
      `invalid ${settings.legacy}: must differ from the key attribute "${layout.keyAttribute}"`,
      settings.legacy,
    );
  }
  return layout;
}
