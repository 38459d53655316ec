import { PostFlag } from './posts.js';

const MENTION = /(?<![\p{L}\p{N}_@])@([A-Za-z0-9_]{1,15})(?![A-Za-z0-9_@])/gu;
const HASHTAG = /(?<![\p{L}\p{N}_&#])#([\p{L}\p{N}_]*[\p{L}_][\p{L}\p{N}_]*)/gu;
const URL = /https?:\/\/[^\s…]+/gu;
const ASTRAL = /[\uD800-\uDFFF]/;
/** One pass over the text for all three entity kinds (group 1 mention, 2 hashtag, else URL). */
const ENTITY = new RegExp(`${MENTION.source}|${HASHTAG.source}|${URL.source}`, 'gu');

/** A recognised entity in a post's text; start/end are code point offsets (end exclusive). */
export interface TextEntity {
  readonly kind: 'mention' | 'hashtag' | 'url';
  readonly start: number;
  readonly end: number;
  /** Username (mention), tag (hashtag) or the URL itself. */
  readonly value: string;
}

function codePointOffset(text: string, utf16: number, astral: boolean): number {
  if (!astral) return utf16;
  let n = 0;
  for (let i = 0; i < utf16; i++) {
    const c = text.charCodeAt(i);
    if (c < 0xdc00 || c > 0xdfff) n++;
  }
  return n;
}

/** Every mention, hashtag and URL of `text`, in text order. */
export function extractEntities(text: string): TextEntity[] {
  const astral = ASTRAL.test(text);
  const out: TextEntity[] = [];
  ENTITY.lastIndex = 0;
  for (let m = ENTITY.exec(text); m !== null; m = ENTITY.exec(text)) {
    const start = codePointOffset(text, m.index, astral);
    const end = codePointOffset(text, m.index + m[0].length, astral);
    if (m[1] !== undefined) out.push({ kind: 'mention', start, end, value: m[1] });
    else if (m[2] !== undefined) out.push({ kind: 'hashtag', start, end, value: m[2] });
    else out.push({ kind: 'url', start, end, value: m[0] });
  }
  return out;
}

/** Flags (links, mentions, hashtags) and the usernames mentioned, derived from the text. */
export function analyzeText(text: string): { flags: number; usernames: string[] } {
  let flags = 0;
  const usernames: string[] = [];
  MENTION.lastIndex = 0;
  for (let m = MENTION.exec(text); m !== null; m = MENTION.exec(text)) usernames.push(m[1] ?? '');
  if (usernames.length > 0) flags |= PostFlag.mentions;
  HASHTAG.lastIndex = 0;
  if (HASHTAG.test(text)) flags |= PostFlag.hashtags;
  URL.lastIndex = 0;
  if (URL.test(text)) flags |= PostFlag.links;
  return { flags, usernames };
}

/** Escapes a string for use inside a RegExp. */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
