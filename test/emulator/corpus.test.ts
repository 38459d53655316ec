import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderTweet } from '../../emulator/api/index.js';
import { decodeToken, encodeToken } from '../../emulator/query/index.js';
import { generateWorld, idFromMs, msFromId, PostFlag } from '../../emulator/world/index.js';

const NOW = Date.UTC(2026, 7, 7, 12, 0, 0);
const DAY = 86_400_000;
const world = generateWorld({ seed: 4, posts: 5000, now: NOW });
const { posts, users } = world;

describe('generated corpus', () => {
  it('is deterministic for a seed and differs across seeds', () => {
    const again = generateWorld({ seed: 4, posts: 5000, now: NOW });
    const other = generateWorld({ seed: 5, posts: 5000, now: NOW });
    expect(again.posts.text.slice(0, 5000)).toEqual(posts.text.slice(0, 5000));
    expect([...again.posts.ids.subarray(0, 5000)]).toEqual([...posts.ids.subarray(0, 5000)]);
    expect(other.posts.text.slice(0, 50)).not.toEqual(posts.text.slice(0, 50));
  });

  it('stores posts by strictly increasing snowflake id whose timestamp is the creation time', () => {
    for (let i = 1; i < posts.count; i++) expect(posts.ids[i]! > posts.ids[i - 1]!).toBe(true);
    const json = JSON.parse(renderTweet(posts, users, 123, 1 << 2));
    expect(Math.floor(msFromId(BigInt(json.id)) / 1000) * 1000).toBe(Date.parse(json.created_at));
    expect(BigInt(json.id) > BigInt(Number.MAX_SAFE_INTEGER)).toBe(true);
  });

  it('spreads posts over the 7 days before now, plus older archive posts', () => {
    const ages = Array.from({ length: posts.count }, (_, i) => NOW - msFromId(posts.ids[i]!));
    expect(Math.min(...ages)).toBeGreaterThanOrEqual(0);
    const recent = ages.filter((a) => a < 7 * DAY).length;
    expect(recent / posts.count).toBeGreaterThan(0.75);
    expect(ages.filter((a) => a > 7 * DAY).length).toBeGreaterThan(0);
    expect(ages.filter((a) => a < DAY).length).toBeGreaterThan(0);
    expect(ages.filter((a) => a > 6 * DAY && a < 7 * DAY).length).toBeGreaterThan(0);
  });

  it('has replies, quotes, retweets, edits, languages and entities whose offsets are code points', () => {
    let kinds = 0;
    for (let i = 0; i < posts.count; i++) kinds |= posts.flags[i]!;
    for (const f of [
      PostFlag.reply,
      PostFlag.quote,
      PostFlag.retweet,
      PostFlag.edited,
      PostFlag.links,
      PostFlag.hashtags,
      PostFlag.mentions,
    ]) {
      expect(kinds & f).toBe(f);
    }
    expect(new Set(Array.from({ length: 500 }, (_, i) => posts.langOf(i))).size).toBeGreaterThan(3);
    const ENTITIES = 1 << 4;
    let checked = 0;
    for (let i = 0; i < posts.count && checked < 300; i++) {
      const t = JSON.parse(renderTweet(posts, users, i, ENTITIES));
      const cps = Array.from(t.text as string);
      for (const h of t.entities?.hashtags ?? [])
        expect(cps.slice(h.start, h.end).join('')).toBe(`#${h.tag}`);
      for (const m of t.entities?.mentions ?? [])
        expect(cps.slice(m.start, m.end).join('')).toBe(`@${m.username}`);
      for (const u of t.entities?.urls ?? []) expect(cps.slice(u.start, u.end).join('')).toBe(u.url);
      if (t.entities) checked++;
    }
    expect(checked).toBe(300);
  });

  it('replies carry the parent conversation and in_reply_to_user_id; edits list the older version first', () => {
    const all = (1 << 12) - 1;
    const reply = Array.from({ length: posts.count }, (_, i) => i).find(
      (i) => posts.flags[i]! & PostFlag.reply,
    )!;
    const r = JSON.parse(renderTweet(posts, users, reply, all));
    const parent = posts.ref[reply]!;
    expect(r.referenced_tweets).toEqual([{ type: 'replied_to', id: posts.idOf(parent) }]);
    expect(r.in_reply_to_user_id).toBe(users.users[posts.author[parent]!]!.id);
    expect(r.conversation_id).toBe(posts.idOf(posts.conv[parent]!));
    const edited = Array.from({ length: posts.count }, (_, i) => i).find(
      (i) => posts.flags[i]! & PostFlag.edited,
    )!;
    const e = JSON.parse(renderTweet(posts, users, edited, all));
    expect(e.edit_history_tweet_ids).toHaveLength(2);
    expect(BigInt(e.edit_history_tweet_ids[0]) < BigInt(e.id)).toBe(true);
  });
});

describe('pagination tokens', () => {
  it('round-trip for their scope only, and look like real base36 tokens', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: (1n << 63n) - 1n }),
        fc.boolean(),
        fc.string(),
        (id, next, scope) => {
          const cursor = { direction: next ? ('next' as const) : ('previous' as const), id };
          const token = encodeToken(cursor, scope);
          expect(token).toMatch(/^[0-9a-z]+$/);
          expect(decodeToken(token, scope)).toEqual(cursor);
          expect(decodeToken(token, `${scope}x`)).toBeUndefined();
        },
      ),
      { numRuns: 200 },
    );
  });

  it('snowflake helpers agree', () => {
    expect(idFromMs(msFromId(2083157183716917248n))).toBe(2083157183716917248n);
    expect(new Date(msFromId(2083157183716917248n)).toISOString()).toBe('2026-07-31T11:45:50.444Z');
  });
});
