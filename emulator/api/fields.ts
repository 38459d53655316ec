/** Every `tweet.fields` value the API accepts (openapi 2.166 TweetFieldsParameter). */
export const TWEET_FIELDS = [
  'article',
  'attachments',
  'author_id',
  'card_uri',
  'community_id',
  'context_annotations',
  'conversation_id',
  'created_at',
  'display_text_range',
  'edit_controls',
  'edit_history_tweet_ids',
  'entities',
  'geo',
  'id',
  'in_reply_to_user_id',
  'lang',
  'matched_media_notes',
  'media_metadata',
  'non_public_metrics',
  'note_request_suggestions',
  'note_tweet',
  'organic_metrics',
  'paid_partnership',
  'possibly_sensitive',
  'promoted_metrics',
  'public_metrics',
  'referenced_tweets',
  'reply_settings',
  'scopes',
  'source',
  'suggested_source_links',
  'suggested_source_links_with_counts',
  'text',
  'withheld',
] as const;

/** Every `user.fields` value the API accepts (openapi 2.166 UserFieldsParameter). */
export const USER_FIELDS = [
  'affiliation',
  'confirmed_email',
  'connection_status',
  'created_at',
  'description',
  'entities',
  'id',
  'is_identity_verified',
  'location',
  'most_recent_tweet_id',
  'name',
  'parody',
  'pinned_tweet_id',
  'profile_banner_url',
  'profile_image_url',
  'protected',
  'public_metrics',
  'receives_your_dm',
  'subscription',
  'subscription_type',
  'url',
  'username',
  'verified',
  'verified_followers_count',
  'verified_type',
  'withheld',
] as const;

/** Every `expansions` value the API accepts for posts (openapi 2.166 TweetExpansionsParameter). */
export const TWEET_EXPANSIONS = [
  'article.cover_media',
  'article.media_entities',
  'attachments.media_keys',
  'attachments.media_source_tweet',
  'attachments.poll_ids',
  'author_id',
  'edit_history_tweet_ids',
  'entities.mentions.username',
  'geo.place_id',
  'in_reply_to_user_id',
  'entities.note.mentions.username',
  'referenced_tweets.id',
  'referenced_tweets.id.attachments.media_keys',
  'referenced_tweets.id.author_id',
] as const;

/** `expansions` values of the user lookup endpoints. */
export const USER_EXPANSIONS = ['affiliation.user_id', 'most_recent_tweet_id', 'pinned_tweet_id'] as const;

/** Tweet fields the emulator renders; the rest are accepted and omitted, as the API omits absent fields. */
export const RENDERED_TWEET_FIELDS = [
  'author_id',
  'conversation_id',
  'created_at',
  'edit_controls',
  'entities',
  'in_reply_to_user_id',
  'lang',
  'possibly_sensitive',
  'public_metrics',
  'referenced_tweets',
  'reply_settings',
  'source',
] as const;

/** Bit mask of requested rendered tweet fields (the cache key of rendered posts). */
export function tweetFieldMask(fields: readonly string[]): number {
  let mask = 0;
  RENDERED_TWEET_FIELDS.forEach((f, bit) => {
    if (fields.includes(f)) mask |= 1 << bit;
  });
  return mask;
}

/** True when `field` is in the mask. */
export function hasField(mask: number, field: (typeof RENDERED_TWEET_FIELDS)[number]): boolean {
  return (mask & (1 << RENDERED_TWEET_FIELDS.indexOf(field))) !== 0;
}
