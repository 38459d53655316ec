import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseCliArgs, UsageError } from '../../emulator/cli-args.js';
import { type RunningEmulator, startEmulator } from '../../emulator/index.js';
import { getApi } from './helpers.js';

const NOW = Date.UTC(2026, 7, 7, 12, 0, 0);
const SEARCH = '/2/tweets/search/recent?query=the';

describe('emulator: rate limits per app across its tokens', () => {
  let emu: RunningEmulator;

  beforeAll(async () => {
    emu = await startEmulator({
      seed: 8,
      posts: 600,
      frozenClock: true,
      now: NOW,
      windowSeconds: 5,
      rateLimits: { search_recent: 4 },
      apps: { fleet: ['w1', 'w2', 'w3'] },
    });
  });
  afterAll(() => emu.close());
  beforeEach(() => emu.reset());

  it('counts the requests of every token of one app against one window', async () => {
    const remaining: string[] = [];
    for (const token of ['w1', 'w2', 'w3', 'w1']) {
      const r = await getApi(emu, SEARCH, token);
      expect(r.status).toBe(200);
      remaining.push(r.headers.get('x-rate-limit-remaining') ?? '');
    }
    expect(remaining).toEqual(['3', '2', '1', '0']);
    expect((await getApi(emu, SEARCH, 'w2')).status).toBe(429);
  });

  it('keeps a token outside every app on its own window', async () => {
    for (const token of ['w1', 'w2', 'w3', 'w1']) await getApi(emu, SEARCH, token);
    const alone = await getApi(emu, SEARCH, 'solo');
    expect(alone.status).toBe(200);
    expect(alone.headers.get('x-rate-limit-remaining')).toBe('3');
  });

  it('keeps the app grouping when limits change at run time', async () => {
    emu.setLimits({ rateLimits: { search_recent: 2 } });
    expect((await getApi(emu, SEARCH, 'w1')).status).toBe(200);
    expect((await getApi(emu, SEARCH, 'w2')).status).toBe(200);
    expect((await getApi(emu, SEARCH, 'w3')).status).toBe(429);
  });
});

describe('emulator: many cheap streams', () => {
  let emu: RunningEmulator;

  beforeAll(async () => {
    emu = await startEmulator({ seed: 3, posts: 20_000, users: 2_000, frozenClock: true, now: NOW });
  });
  afterAll(() => emu.close());

  it('answers a bare from:user query with exactly the ground truth of the compiled query', async () => {
    const users = emu.users().filter((u) => u.posts > 0);
    expect(users.length).toBeGreaterThan(1_000);
    for (const user of users.slice(0, 25)) {
      const fast = emu.groundTruth({ endpoint: 'search_recent', query: `from:${user.username}` });
      // The same set through the general matcher: a query the index fast path does not take.
      const slow = emu.groundTruth({ endpoint: 'search_recent', query: `(from:${user.username})` });
      expect(fast).toEqual(slow);
      const page = await getApi(emu, `/2/tweets/search/recent?max_results=100&query=from:${user.username}`);
      expect(page.status).toBe(200);
      const ids = ((page.body.data ?? []) as { id: string }[]).map((p) => p.id);
      expect(ids).toEqual(fast.slice(0, 100));
    }
  });
});

describe('emulator CLI: --app and --query-cache', () => {
  it('parses apps and the query cache size', () => {
    const { options } = parseCliArgs(['--app', 'fleet=a,b', '--app', 'other=c', '--query-cache', '5000']);
    expect(options.apps).toEqual({ fleet: ['a', 'b'], other: ['c'] });
    expect(options.queryCacheSize).toBe(5000);
  });

  it.each([[['--app', 'fleet']], [['--app', '=a']], [['--app', 'x=']], [['--query-cache', '0']]])(
    'refuses %j',
    (argv) => {
      expect(() => parseCliArgs(argv)).toThrow(UsageError);
    },
  );
});
