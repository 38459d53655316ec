/**
 * The emulated world: snowflake ids, the clock, the seeded PRNG, posts and users in columns, the
 * entities of a text, and the generator that builds a corpus and publishes more. Imports no other folder.
 */
export { EmulatorClock } from './clock.js';
export { appendGeneratedPost, generateWorld, type World } from './generator.js';
export { PostFlag, PostStore } from './posts.js';
export { fnv1a, mix32, Prng } from './prng.js';
export { idFromMs, isoMinute, isoSeconds, msFromId, parseId, TWEPOCH_MS } from './snowflake.js';
export { analyzeText, escapeRegExp, extractEntities } from './text-entities.js';
export { UserStore } from './users.js';
export { HASHTAGS, LANG_CODES, SOURCES, WORDS } from './vocab.js';
