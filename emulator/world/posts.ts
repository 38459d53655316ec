import { TWEPOCH_MS } from './snowflake.js';
import { LANG_CODES } from './vocab.js';

/** Bit flags stored per post (one byte). */
export const PostFlag = {
  retweet: 1,
  reply: 2,
  quote: 4,
  links: 8,
  mentions: 16,
  hashtags: 32,
  edited: 64,
  sensitive: 128,
} as const;

/** What the store needs to append one post; ids are assigned by the store. */
export interface NewPost {
  /** Creation time, epoch ms. */
  readonly ms: number;
  readonly author: number;
  readonly text: string;
  readonly lang: number;
  readonly flags: number;
  /** Index of the referenced post (retweeted / replied_to / quoted), or -1. */
  readonly ref: number;
  /** User index this post replies to, or -1. */
  readonly replyTo: number;
  /** User indexes mentioned in the text. */
  readonly mentions: readonly number[];
  /** When the post becomes visible to the API (search index lag), epoch ms. */
  readonly visibleAt: number;
  /** Id of the superseded version for edited posts, or 0n. */
  readonly editOf: bigint;
}

function grow<T extends BigUint64Array | Uint32Array | Int32Array | Uint8Array | Float64Array>(
  array: T,
  size: number,
): T {
  if (size <= array.length) return array;
  const next = new (array.constructor as new (n: number) => T)(Math.max(size, array.length * 2));
  next.set(array as never);
  return next;
}

/**
 * Columnar, append-only post storage sorted by id (ascending). A million posts cost a few typed
 * arrays and one string each instead of a million object graphs.
 */
export class PostStore {
  count = 0;
  ids = new BigUint64Array(1024);
  author = new Uint32Array(1024);
  flags = new Uint8Array(1024);
  lang = new Uint8Array(1024);
  ref = new Int32Array(1024);
  replyTo = new Int32Array(1024);
  conv = new Int32Array(1024);
  visibleAt = new Float64Array(1024);
  editOf = new BigUint64Array(1024);
  text: string[] = [];
  /** Decimal id strings, filled lazily. */
  idText: (string | undefined)[] = [];
  /** Post indexes per author, ascending. */
  byAuthor: number[][] = [];
  /** Post indexes per mentioned user, ascending. */
  byMention: number[][] = [];
  /** Little-endian 32-bit view of `ids`, so appends avoid BigInt arithmetic. */
  private idWords = new Uint32Array(this.ids.buffer);
  private lastT = -1;
  private lastLow = 0;

  /** Prepares per-user lists and capacity. */
  constructor(userCount: number, capacity = 1024) {
    for (let u = 0; u < userCount; u++) {
      this.byAuthor.push([]);
      this.byMention.push([]);
    }
    this.reserve(capacity);
  }

  /** Ensures room for `size` posts. */
  reserve(size: number): void {
    this.ids = grow(this.ids, size);
    this.idWords = new Uint32Array(this.ids.buffer);
    this.author = grow(this.author, size);
    this.flags = grow(this.flags, size);
    this.lang = grow(this.lang, size);
    this.ref = grow(this.ref, size);
    this.replyTo = grow(this.replyTo, size);
    this.conv = grow(this.conv, size);
    this.visibleAt = grow(this.visibleAt, size);
    this.editOf = grow(this.editOf, size);
  }

  /** Appends a post with the next snowflake id at or after `post.ms`; returns its index. */
  append(post: NewPost, low: number): number {
    const i = this.count;
    this.reserve(i + 1);
    // id = (t << 22) | low with t = ms - epoch; kept strictly increasing even if the clock moves back.
    let t = Math.floor(post.ms) - TWEPOCH_MS;
    let l = low & 0x3fffff;
    if (t < this.lastT || (t === this.lastT && l <= this.lastLow)) {
      t = this.lastT;
      l = this.lastLow + 1;
      if (l > 0x3fffff) {
        t++;
        l = 0;
      }
    }
    this.lastT = t;
    this.lastLow = l;
    this.idWords[2 * i] = (((t % 1024) << 22) | l) >>> 0;
    this.idWords[2 * i + 1] = Math.floor(t / 1024);
    this.author[i] = post.author;
    this.flags[i] = post.flags;
    this.lang[i] = post.lang;
    this.ref[i] = post.ref;
    this.replyTo[i] = post.replyTo;
    this.conv[i] = post.ref >= 0 && post.flags & PostFlag.reply ? this.conv[post.ref]! : i;
    this.visibleAt[i] = post.visibleAt;
    this.editOf[i] = post.editOf;
    this.text[i] = post.text;
    this.byAuthor[post.author]?.push(i);
    for (const m of post.mentions) this.byMention[m]?.push(i);
    this.count = i + 1;
    return i;
  }

  /** Decimal id of post `i`. */
  idOf(i: number): string {
    let s = this.idText[i];
    if (s === undefined) {
      s = this.ids[i]!.toString();
      this.idText[i] = s;
    }
    return s;
  }

  /** Language code of post `i`. */
  langOf(i: number): string {
    return LANG_CODES[this.lang[i]!] ?? 'und';
  }

  /** Drops every post at index >= `count` (used by reset to forget published posts). */
  truncate(count: number): void {
    if (count >= this.count) return;
    for (const lists of [this.byAuthor, this.byMention]) {
      for (const list of lists) {
        while (list.length > 0 && list[list.length - 1]! >= count) list.pop();
      }
    }
    this.text.length = count;
    this.idText.length = Math.min(this.idText.length, count);
    this.count = count;
    const last = count > 0 ? this.ids[count - 1]! : -1n;
    this.lastT = last < 0n ? -1 : Number(last >> 22n);
    this.lastLow = last < 0n ? 0 : Number(last & 0x3fffffn);
  }
}
