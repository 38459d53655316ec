import { Agent } from 'node:http';
import { TwitterApi } from 'twitter-api-v2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../emulator/index.js';

const NOW = Date.UTC(2026, 7, 7, 12, 0, 0);

// twitter-api-v2 always calls https.request; an http.Agent makes it speak plain HTTP to loopback.
const agent = new Agent({ keepAlive: true, maxSockets: 4 });

function clientFor(emu: RunningEmulator) {
  const v2 = new TwitterApi('client-token', { httpAgent: agent }).readOnly.v2;
  // setPrefix is how the library itself switches API bases; it is protected in the typings only.
  (v2 as unknown as { setPrefix(prefix: string): void }).setPrefix(`${emu.url}/2/`);
  return v2;
}

async function drain(paginator: AsyncIterable<{ id: string }>, limit: number): Promise<string[]> {
  const ids: string[] = [];
  for await (const tweet of paginator) {
    ids.push(tweet.id);
    if (ids.length > limit) throw new Error('paged past the ground truth');
  }
  return ids;
}

describe('twitter-api-v2 paging against the emulator', () => {
  let emu: RunningEmulator;

  beforeAll(async () => {
    emu = await startEmulator({ seed: 1, posts: 1500, frozenClock: true, now: NOW });
  });
  afterAll(async () => {
    agent.destroy();
    await emu.close();
  });

  it.each([
    [11, 'the', 10],
    [12, 'love OR #news', 37],
    [13, '(rain OR sunny) -is:retweet', 100],
    [14, 'lang:es OR from:kalo', 64],
  ])('search (seed %i, %s, page %i) collects exactly the ground truth', async (seed, query, pageSize) => {
    emu.reset({ seed, posts: 1500 });
    const truth = emu.groundTruth({ endpoint: 'search_recent', query });
    expect(truth.length).toBeGreaterThan(pageSize);
    const paginator = await clientFor(emu).search(query, { max_results: pageSize });
    expect(await drain(paginator, truth.length)).toEqual(truth);
  });

  it.each([
    [21, 5, undefined],
    [22, 33, 'replies'],
    [23, 100, 'retweets'],
  ] as const)(
    'userTimeline (seed %i, page %i, exclude %s) collects exactly the ground truth',
    async (seed, pageSize, exclude) => {
      emu.reset({ seed, posts: 1500 });
      const user = emu.users().sort((a, b) => b.posts - a.posts)[0]!;
      const truth = emu.groundTruth({
        endpoint: 'user_tweets',
        user_id: user.id,
        ...(exclude ? { exclude } : {}),
      });
      expect(truth.length).toBeGreaterThan(pageSize);
      const paginator = await clientFor(emu).userTimeline(user.id, {
        max_results: pageSize,
        ...(exclude ? { exclude: [exclude] } : {}),
      });
      expect(await drain(paginator, truth.length)).toEqual(truth);
    },
  );

  it('userMentionTimeline collects exactly the ground truth', async () => {
    emu.reset({ seed: 31, posts: 1500 });
    const user = emu.users().sort((a, b) => b.mentions - a.mentions)[0]!;
    const truth = emu.groundTruth({ endpoint: 'user_mentions', user_id: user.id });
    expect(truth.length).toBeGreaterThan(5);
    const paginator = await clientFor(emu).userMentionTimeline(user.id, { max_results: 5 });
    expect(await drain(paginator, truth.length)).toEqual(truth);
  });
});
