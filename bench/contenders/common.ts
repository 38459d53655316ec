/** What every contender is given, on its command line as one JSON argument. */
export interface ContenderArgs {
  /** Emulator base URL, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  readonly query: string;
  /** JSONL output file: one post per line, the post plus `_author` joined from `includes.users`. */
  readonly out: string;
  /** Page size to ask for; `undefined` = the library default (10). */
  readonly maxResults?: number;
  readonly token: string;
}

/** The same fields our CLI asks for, so every contender moves and writes the same bytes. */
export const TWEET_FIELDS = [
  'created_at',
  'author_id',
  'conversation_id',
  'lang',
  'public_metrics',
  'referenced_tweets',
  'entities',
] as const;

/** Parses the contender's JSON argument. */
export function readArgs(): ContenderArgs {
  const raw = process.argv[2];
  if (raw === undefined) throw new Error('usage: <contender> <json args>');
  return JSON.parse(raw) as ContenderArgs;
}
