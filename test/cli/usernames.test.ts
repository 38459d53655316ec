import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../emulator/index.js';
import { timeMsToId } from '../../src/core/ids.js';
import { cliBundle, logEvents, readIds, runCli, sortedIds } from './run-cli.js';

const TOKEN = 'cli-username-token-77c1';

describe('--user: @name is a username, bare digits an id', () => {
  let emulator: RunningEmulator;
  let cwd: string;
  let env: Record<string, string>;
  let since: string;
  let digitsUserId: string;
  beforeAll(async () => {
    await cliBundle();
    emulator = await startEmulator({ seed: 5, posts: 3000, lateArrivalFraction: 0, tokens: [TOKEN] });
    cwd = await mkdtemp(join(tmpdir(), 'tp-cli-user-'));
    env = { X_BEARER_TOKEN: TOKEN, X_API_BASE_URL: emulator.url };
    since = timeMsToId(emulator.now() - 30 * 86_400_000);
    // The world's all-digit username, looked up the way any client would.
    const res = await fetch(`${emulator.url}/2/users/by/username/12345`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    digitsUserId = ((await res.json()) as { data: { id: string } }).data.id;
  });
  afterAll(async () => {
    await emulator.close();
    await rm(cwd, { recursive: true, force: true });
  });

  const args = (dir: string, user: string) => [
    'poll',
    '--user',
    user,
    '--store',
    `sqlite:${dir}/state.db`,
    '--sink',
    `jsonl:${dir}/posts.jsonl`,
    '--min-interval',
    '0',
    '--initial',
    since,
  ];

  it('resolves @12345 through /2/users/by/username/12345 and delivers that user’s timeline', async () => {
    expect(digitsUserId).not.toBe('12345');
    const truth = emulator.groundTruth({ endpoint: 'user_tweets', user_id: digitsUserId, since_id: since });
    expect(truth.length).toBeGreaterThan(0);
    const seen = emulator.requestLog().length;
    const result = await runCli(args('at', '@12345'), { cwd, env });
    expect(result.code, result.stderr).toBe(0);
    const urls = emulator
      .requestLog()
      .slice(seen)
      .map((e) => e.url);
    expect(urls[0]).toMatch(/^\/2\/users\/by\/username\/12345(\?|$)/);
    expect(urls.slice(1).every((u) => u.startsWith(`/2/users/${digitsUserId}/tweets`))).toBe(true);
    expect(sortedIds(await readIds(join(cwd, 'at/posts.jsonl')))).toEqual(sortedIds(truth));
    // Named apart from the id 12345, so the two never share a checkpoint (and its resolved user id).
    const end = logEvents(result.stderr).find((e) => e.event === 'execution_end') as {
      streams: { stream: string }[];
    };
    expect(end.streams[0]?.stream).toBe('timeline:@12345');
  });

  it.each([['user:12345'], ['user:@12345']])('reads %s as the username too', async (value) => {
    const seen = emulator.requestLog().length;
    const result = await runCli(args(`u${value.length}`, value), { cwd, env });
    expect(result.code, result.stderr).toBe(0);
    expect(emulator.requestLog()[seen]?.url).toMatch(/^\/2\/users\/by\/username\/12345(\?|$)/);
  });

  it('takes a bare 12345 (and id:12345) as the id: no username lookup', async () => {
    for (const [dir, value] of [
      ['bare', '12345'],
      ['idp', 'id:12345'],
    ] as const) {
      const seen = emulator.requestLog().length;
      await runCli(args(dir, value), { cwd, env });
      const urls = emulator
        .requestLog()
        .slice(seen)
        .map((e) => e.url);
      expect(urls.length).toBeGreaterThan(0);
      expect(urls.every((u) => u.startsWith('/2/users/12345/tweets'))).toBe(true);
    }
  });

  it('refuses id: with a value that is not an id, naming the setting (exit 2)', async () => {
    const result = await runCli(args('bad', 'id:abc'), { cwd, env });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--user');
  });
});
