import { ConfigError } from '../core/errors.js';
import {
  DEFAULT_EXPANSIONS,
  DEFAULT_TWEET_FIELDS,
  type InitialPosition,
  type StreamSource,
  type StreamSpec,
  type UserKey,
} from '../core/stream.js';
import { DEFAULTS } from './defaults.js';
import type { StreamEntry } from './file-schema.js';

/** What one stream is made of before defaults: a config-file entry or the single-source flags. */
export interface StreamDraft {
  readonly name?: string | undefined;
  readonly source: StreamSource;
  readonly tweetFields?: readonly string[] | undefined;
  readonly userFields?: readonly string[] | undefined;
  readonly expansions?: readonly string[] | undefined;
  readonly initial?: InitialPosition | undefined;
  readonly overlapSeconds?: number | undefined;
  readonly weight?: number | undefined;
}

/** Defaults shared by every stream of a run (flags, then config file top level, then built-ins). */
export interface StreamDefaults {
  /** @default { kind: 'now' } */
  readonly initial: InitialPosition;
  /** @default 0 */
  readonly overlapSeconds: number;
}

/** The built-in stream defaults, from the defaults table. */
export const BUILT_IN_STREAM_DEFAULTS: StreamDefaults = {
  // A default other than `now` would have to go through checkInitial (values.ts); the type says so.
  initial: { kind: DEFAULTS.initial },
  overlapSeconds: DEFAULTS.overlapMs / 1000,
};

/**
 * A config-file (or STREAMS) entry as a draft. `flagged` leaves out the entry's `initial` /
 * `overlap_seconds` when a flag overrides them for every stream.
 */
export function entryDraft(
  entry: StreamEntry,
  flagged: { readonly initial?: boolean; readonly overlap?: boolean } = {},
): StreamDraft {
  return {
    name: entry.name,
    source: entrySource(entry),
    tweetFields: entry.tweet_fields,
    userFields: entry.user_fields,
    expansions: entry.expansions,
    initial: flagged.initial ? undefined : entry.initial,
    overlapSeconds: flagged.overlap ? undefined : entry.overlap_seconds,
    weight: entry.weight,
  };
}

/**
 * The stable default name of a stream, the key of its checkpoint: `search:<query>`,
 * `archive:<query>`, `timeline:<user>` (`timeline:<user>;exclude=replies` when filtered) or `mentions:<user>`.
 */
export function defaultStreamName(source: StreamSource): string {
  switch (source.kind) {
    case 'search':
      return `${source.archive ? 'archive' : 'search'}:${source.query}`;
    case 'timeline':
      return source.exclude.length === 0
        ? `timeline:${userLabel(source)}`
        : `timeline:${userLabel(source)};exclude=${[...source.exclude].sort().join(',')}`;
    case 'mentions':
      return `mentions:${userLabel(source)}`;
  }
}

/** Fills in defaults. A numeric-looking user stays as given: the runner treats digits as an id. */
export function buildStreamSpec(draft: StreamDraft, defaults: StreamDefaults): StreamSpec {
  return {
    name: draft.name ?? defaultStreamName(draft.source),
    source: draft.source,
    tweetFields: draft.tweetFields ?? [...DEFAULT_TWEET_FIELDS],
    userFields: draft.userFields ?? [],
    expansions: draft.expansions ?? [...DEFAULT_EXPANSIONS],
    initial: draft.initial ?? defaults.initial,
    overlapSeconds: draft.overlapSeconds ?? defaults.overlapSeconds,
    weight: draft.weight ?? DEFAULTS.weight,
  };
}

/** Rejects two streams with one name: they would share, and fight over, one checkpoint. */
export function assertUniqueNames(streams: readonly StreamSpec[], setting: (index: number) => string): void {
  const seen = new Set<string>();
  streams.forEach((stream, index) => {
    if (seen.has(stream.name)) {
      throw new ConfigError(
        `invalid ${setting(index)}: duplicate stream name "${stream.name}"`,
        setting(index),
      );
    }
    seen.add(stream.name);
  });
}

/**
 * The user in a stream name: as given, except an all-digit username, which keeps its `@` so that it
 * never shares a name (and a checkpoint, which holds the resolved user id) with the id of those digits.
 */
function userLabel(source: { readonly user: string; readonly by?: UserKey }): string {
  return source.by === 'username' && /^[0-9]+$/.test(source.user) ? `@${source.user}` : source.user;
}

/**
 * Reads a `--user` / `--mentions` / `user:` / `mentions:` value. `@name` and `user:name` are always a
 * username; `id:123` is always an id; a bare all-digit value is an id, anything else a username.
 * Throws a ConfigError naming `setting` for an empty value or an `id:` that is not an id.
 */
export function parseUser(value: string, setting: string): { user: string; by: UserKey } {
  const text = value.trim();
  let user: string;
  let by: UserKey;
  if (text.startsWith('id:')) {
    user = text.slice(3).trim();
    by = 'id';
    if (!/^[0-9]{1,19}$/.test(user) || BigInt(user) === 0n || BigInt(user) > 2n ** 63n - 1n)
      throw new ConfigError(`invalid ${setting}: "${text}" is not a numeric user id`, setting);
  } else if (text.startsWith('user:') || text.startsWith('@')) {
    user = text
      .replace(/^user:/, '')
      .trim()
      .replace(/^@/, '');
    by = 'username';
  } else {
    user = text;
    by = /^[0-9]+$/.test(text) ? 'id' : 'username';
  }
  if (user === '') throw new ConfigError(`invalid ${setting}: no user given`, setting);
  return { user, by };
}

/** The source of a config-file (or STREAMS) entry; the schema guarantees exactly one of query/user/mentions. */
export function entrySource(entry: StreamEntry, setting = 'streams'): StreamSource {
  if (entry.query !== undefined)
    return { kind: 'search', query: entry.query, archive: entry.archive ?? false };
  if (entry.user !== undefined) {
    return { kind: 'timeline', ...parseUser(entry.user, `${setting}: user`), exclude: entry.exclude ?? [] };
  }
  return { kind: 'mentions', ...parseUser(entry.mentions ?? '', `${setting}: mentions`) };
}
