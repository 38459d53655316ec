import { ConfigError } from '../core/errors.js';
import {
  DEFAULT_EXPANSIONS,
  DEFAULT_TWEET_FIELDS,
  type InitialPosition,
  type StreamSource,
  type StreamSpec,
} from '../core/stream.js';
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
        ? `timeline:${source.user}`
        : `timeline:${source.user};exclude=${[...source.exclude].sort().join(',')}`;
    case 'mentions':
      return `mentions:${source.user}`;
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
    weight: draft.weight ?? 1,
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

/** A username without its `@`; an id stays digits. */
export function normalizeUser(user: string): string {
  return user.trim().replace(/^@/, '');
}

/** The source of a config-file (or STREAMS) entry; the schema guarantees exactly one of query/user/mentions. */
export function entrySource(entry: StreamEntry): StreamSource {
  if (entry.query !== undefined)
    return { kind: 'search', query: entry.query, archive: entry.archive ?? false };
  if (entry.user !== undefined) {
    return { kind: 'timeline', user: normalizeUser(entry.user), exclude: entry.exclude ?? [] };
  }
  return { kind: 'mentions', user: normalizeUser(entry.mentions ?? '') };
}
