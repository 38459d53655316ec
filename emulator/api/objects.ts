import {
  extractEntities,
  isoSeconds,
  mix32,
  msFromId,
  PostFlag,
  type PostStore,
  SOURCES,
  type UserStore,
} from '../world/index.js';
import { hasField } from './fields.js';

const j = JSON.stringify;

function entitiesJson(posts: PostStore, users: UserStore, i: number): string | undefined {
  const found = extractEntities(posts.text[i]!);
  if (found.length === 0) return undefined;
  const hashtags: string[] = [];
  const mentions: string[] = [];
  const urls: string[] = [];
  for (const e of found) {
    const span = `"start":${e.start},"end":${e.end}`;
    if (e.kind === 'hashtag') hashtags.push(`{${span},"tag":${j(e.value)}}`);
    else if (e.kind === 'url') {
      const code = e.value.slice(e.value.lastIndexOf('/') + 1);
      urls.push(
        `{${span},"url":${j(e.value)},"expanded_url":"https://example.com/${code}","display_url":"example.com/${code}"}`,
      );
    } else {
      const u = users.indexOfUsername(e.value);
      const id = u === undefined ? '' : `,"id":"${users.users[u]!.id}"`;
      mentions.push(`{${span},"username":${j(e.value)}${id}}`);
    }
  }
  const parts: string[] = [];
  if (hashtags.length > 0) parts.push(`"hashtags":[${hashtags.join(',')}]`);
  if (mentions.length > 0) parts.push(`"mentions":[${mentions.join(',')}]`);
  if (urls.length > 0) parts.push(`"urls":[${urls.join(',')}]`);
  return `{${parts.join(',')}}`;
}

function refType(flags: number): string {
  if (flags & PostFlag.retweet) return 'retweeted';
  if (flags & PostFlag.reply) return 'replied_to';
  return 'quoted';
}

/**
 * Renders post `i` as the API's JSON object for the field mask (keys in alphabetical order, as in
 * recorded traffic); default fields are `edit_history_tweet_ids`, `id`, `text`.
 */
export function renderTweet(posts: PostStore, users: UserStore, i: number, mask: number): string {
  const id = posts.idOf(i);
  const flags = posts.flags[i]!;
  const out: string[] = [];
  if (mask === 0) {
    const editOf = posts.editOf[i]!;
    return `{"edit_history_tweet_ids":[${editOf ? `"${editOf}",` : ''}"${id}"],"id":"${id}","text":${j(posts.text[i])}}`;
  }
  const ms = msFromId(posts.ids[i]!);
  const h = mix32(i);
  if (hasField(mask, 'author_id')) out.push(`"author_id":"${users.users[posts.author[i]!]!.id}"`);
  if (hasField(mask, 'conversation_id')) out.push(`"conversation_id":"${posts.idOf(posts.conv[i]!)}"`);
  if (hasField(mask, 'created_at')) out.push(`"created_at":"${isoSeconds(ms)}"`);
  const editOf = posts.editOf[i]!;
  if (hasField(mask, 'edit_controls')) {
    const until = isoSeconds(ms + 1_800_000);
    out.push(
      `"edit_controls":{"edits_remaining":${editOf ? 4 : 5},"is_edit_eligible":true,"editable_until":"${until}"}`,
    );
  }
  out.push(`"edit_history_tweet_ids":[${editOf ? `"${editOf}",` : ''}"${id}"]`);
  if (hasField(mask, 'entities')) {
    const entities = entitiesJson(posts, users, i);
    if (entities !== undefined) out.push(`"entities":${entities}`);
  }
  out.push(`"id":"${id}"`);
  const replyTo = posts.replyTo[i]!;
  if (hasField(mask, 'in_reply_to_user_id') && replyTo >= 0) {
    out.push(`"in_reply_to_user_id":"${users.users[replyTo]!.id}"`);
  }
  if (hasField(mask, 'lang')) out.push(`"lang":"${posts.langOf(i)}"`);
  if (hasField(mask, 'possibly_sensitive'))
    out.push(`"possibly_sensitive":${(flags & PostFlag.sensitive) !== 0}`);
  if (hasField(mask, 'public_metrics')) {
    out.push(
      `"public_metrics":{"retweet_count":${h % 50},"reply_count":${(h >>> 6) % 20},"like_count":${(h >>> 11) % 500},` +
        `"quote_count":${(h >>> 20) % 5},"bookmark_count":${(h >>> 23) % 7},"impression_count":${h % 20000}}`,
    );
  }
  const ref = posts.ref[i]!;
  if (hasField(mask, 'referenced_tweets') && ref >= 0) {
    out.push(`"referenced_tweets":[{"type":"${refType(flags)}","id":"${posts.idOf(ref)}"}]`);
  }
  if (hasField(mask, 'reply_settings')) out.push('"reply_settings":"everyone"');
  if (hasField(mask, 'source')) out.push(`"source":"${SOURCES[h % SOURCES.length]}"`);
  out.push(`"text":${j(posts.text[i])}`);
  return `{${out.join(',')}}`;
}

/** Renders user `u` with the requested `user.fields` (id, name, username always). */
export function renderUser(users: UserStore, posts: PostStore, u: number, fields: readonly string[]): string {
  const user = users.users[u]!;
  const o: Record<string, unknown> = {};
  if (fields.includes('created_at')) o.created_at = user.createdAt;
  if (fields.includes('description')) o.description = user.description;
  o.id = user.id;
  if (fields.includes('location') && user.location !== '') o.location = user.location;
  o.name = user.name;
  if (fields.includes('profile_image_url')) {
    o.profile_image_url = 'https://abs.twimg.com/sticky/default_profile_images/default_profile_normal.png';
  }
  if (fields.includes('protected')) o.protected = user.protected;
  if (fields.includes('public_metrics')) {
    o.public_metrics = {
      followers_count: user.followers,
      following_count: user.following,
      tweet_count: posts.byAuthor[u]?.length ?? 0,
      listed_count: user.listed,
    };
  }
  if (fields.includes('url')) o.url = '';
  o.username = user.username;
  if (fields.includes('verified')) o.verified = user.verified;
  if (fields.includes('verified_type')) o.verified_type = user.verified ? 'blue' : 'none';
  return j(o);
}
