import { describe, expect, it } from 'vitest';
import { main } from '../../emulator/cli.js';
import { parseCliArgs, parseFaultSpec } from '../../emulator/cli-args.js';

function capture() {
  const lines = { out: '', err: '' };
  return { lines, io: { out: (s: string) => (lines.out += s), err: (s: string) => (lines.err += s) } };
}

describe('twitter-poller emulator CLI', () => {
  it.each([
    [['--port', 'abc'], '--port must be an integer'],
    [['--rate-limit', 'search_recent'], "--rate-limit 'search_recent': expected ENDPOINT=N"],
    [['--rate-limit', 'nope=3'], "--rate-limit 'nope=3'"],
    [['--fault', 'explode@3'], "unknown fault kind 'explode'"],
    [['--fault-rate', '2'], '--fault-rate must be a number between 0 and 1'],
    [['--bogus'], "Unknown option '--bogus'"],
    [['positional'], 'positional'],
  ])('%j exits 2 with a clear error', async (argv, message) => {
    const { lines, io } = capture();
    expect(await main(argv, { ...io, stopped: Promise.resolve() })).toBe(2);
    expect(lines.err).toContain(message);
    expect(lines.err).toContain('usage: twitter-poller emulator');
  });

  it('parses every flag into options', () => {
    const { options } = parseCliArgs([
      '--port',
      '0',
      '--seed',
      '7',
      '--posts',
      '100',
      '--rate-limit',
      'search_recent=60',
      '--rate-limit',
      'user_tweets=900',
      '--window-seconds',
      '2',
      '--usage-cap',
      '15000',
      '--publish-rate',
      '2.5',
      '--fault',
      '503@3',
      '--fault',
      'reset@/2/users:2:3',
      '--fault-rate',
      '0.1',
      '--fault-kinds',
      '500,503',
      '--token',
      'a',
      '--token',
      'b',
    ]);
    expect(options).toEqual({
      port: 0,
      seed: 7,
      posts: 100,
      tokens: ['a', 'b'],
      rateLimits: { search_recent: 60, user_tweets: 900 },
      windowSeconds: 2,
      usageCap: 15000,
      publishRate: 2.5,
      faults: {
        scripted: [
          { fault: '503', at: 3 },
          { fault: 'reset', path: '/2/users', nth: 2, count: 3 },
        ],
        rate: 0.1,
        kinds: ['500', '503'],
      },
    });
    expect(parseFaultSpec('short-page@/2/tweets/search/recent:1')).toEqual({
      fault: 'short-page',
      path: '/2/tweets/search/recent',
      nth: 1,
      count: 1,
    });
  });

  it('prints the base URL when listening, serves, and exits 0 when stopped', async () => {
    const { lines, io } = capture();
    let stop: () => void = () => undefined;
    const stopped = new Promise<void>((resolve) => {
      stop = resolve;
    });
    const running = main(['--port', '0', '--posts', '200', '--seed', '3'], { ...io, stopped });
    for (let n = 0; n < 5000 && !lines.out.includes('\n'); n++) await new Promise((r) => setImmediate(r));
    const match = /^emulator listening on (http:\/\/127\.0\.0\.1:\d+)\n$/.exec(lines.out);
    expect(match).not.toBeNull();
    const res = await fetch(`${match![1]}/2/tweets/search/recent?query=the`, {
      headers: { authorization: 'Bearer x' },
    });
    expect(res.status).toBe(200);
    stop();
    expect(await running).toBe(0);
  });

  it('--help prints usage and exits 0', async () => {
    const { lines, io } = capture();
    expect(await main(['--help'], { ...io, stopped: Promise.resolve() })).toBe(0);
    expect(lines.out).toContain('--publish-rate');
  });
});
