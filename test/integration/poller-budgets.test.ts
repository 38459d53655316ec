/**
 * How runs stop, against the emulator over loopback: the monthly usage cap (at once, no retry, state
 * saved, later streams untouched), a rejected token (401: failed, state untouched), the time budget
 * (deadline: state saved, the next run resumes) and the per-run max_tweets (the rest stays owed and
 * the next run fills it). In every case the runs together deliver the ground truth exactly once.
 */
import { describe, expect, it } from 'vitest';
import { timeMsToId } from '../../src/core/ids.js';
import {
  compareDelivery,
  eventsOf,
  PollerRig,
  pageRequests,
  paramsOf,
  publishMatching,
  repeatedPages,
  stream,
  usePollerEmulator,
} from './support-poller/rig.js';

const WORD = 'budgetary';

describe('poller against the emulator: usage cap, 401, time budget, max_tweets', () => {
  const env = usePollerEmulator();
  const rig: typeof env.rig = (api) => env.rig(api);

  /** `count` matching posts published just now, and a stream starting right before them. */
  const world = (name: string, count: number) => {
    const since = timeMsToId(env.emu.now() - 1_000);
    const published = publishMatching(env.emu, WORD, count);
    const spec = stream(
      name,
      { kind: 'search', query: WORD, archive: false },
      {
        initial: { kind: 'since_id', id: since },
      },
    );
    return { spec, published };
  };

  const expectExact = (truth: readonly string[], delivered: readonly string[]) => {
    const d = compareDelivery(truth, delivered);
    expect(d.lost).toEqual([]);
    expect(d.unexpected).toEqual([]);
    expect(d.duplicates).toBe(0);
  };

  it('usage cap: stops every stream at once (one capped request, no retry), saves state', async () => {
    const r = rig();
    const { spec, published } = world('capped', 450);
    const user = [...env.emu.users()].sort((a, b) => b.mentions - a.mentions)[0]!;
    const later = stream('later', { kind: 'mentions', user: user.id });
    env.emu.setLimits({ usageCap: 250 }); // pages of 100: the 4th request is past the cap

    // One request in flight at a time, so that exactly one meets the cap (at concurrency 2 the other
    // stream's request, sent with it, may meet it too).
    const run = await r.run([spec, later], { batchSize: 40, concurrency: 1 });

    expect(run.summary.streams.map((s) => s.outcome)).toEqual(['usage_capped', 'usage_capped']);
    expect(run.summary.caught_up).toBe(false);
    const statuses = run.requests.map((q) => q.status);
    // The streams share the run page by page; nothing after the capped answer, no retry.
    expect(statuses.at(-1)).toBe(429);
    expect(statuses.filter((s) => s !== 200)).toEqual([429]);
    expect(eventsOf(run, 'retry')).toEqual([]);
    const errors = eventsOf(run, 'error');
    expect(errors.map((e) => e.code)).toEqual(['usage_capped']);
    expect(run.metrics.UsageCapped).toBe(1);
    // State saved: the pages delivered are behind the checkpoint, the rest is owed.
    const mine = new Set(published);
    const capped = r.delivered().filter((id) => mine.has(id));
    expect(capped.length).toBe(run.summary.streams[0]?.tweets_delivered);
    expect(capped.length).toBeGreaterThan(0);
    expect(capped).toEqual(published.slice().reverse().slice(0, capped.length));
    const cp = await r.checkpoint('capped');
    expect(cp?.sweep?.untilId).toBe(capped.at(-1));
    expect(run.summary.streams[0]?.pending_until_id).toBe(capped.at(-1));

    // Next month (a higher cap): the next run delivers the rest, nothing twice.
    env.emu.setLimits({ usageCap: 10_000_000 });
    const next = await r.run([spec]);
    expect(next.summary.caught_up).toBe(true);
    expectExact(
      published,
      r.delivered().filter((id) => mine.has(id)),
    );
  });

  it('401: the stream fails with an authentication error and its state is untouched', async () => {
    const good = rig();
    const { spec, published } = world('auth', 120);
    await good.run([spec]);
    const before = await good.checkpoint('auth');
    const delivered = good.delivered();
    expectExact(published, delivered);
    publishMatching(env.emu, WORD, 10);

    // Same store and sink files, another (revoked) token.
    const bad = new PollerRig(env.emu, { bearerToken: 'a-revoked-token-0000' }, good);
    const run = await bad.run([spec]);

    expect(run.summary.streams[0]?.outcome).toBe('failed');
    expect(run.requests.map((q) => q.status)).toEqual([401]); // never retried
    const errors = eventsOf(run, 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]?.code).toBe('authentication');
    expect(errors[0]?.retryable).toBe(false);
    expect(await good.checkpoint('auth')).toEqual(before);
    expect(good.delivered()).toEqual(delivered);
    expect(JSON.stringify(run.events)).not.toContain('a-revoked-token-0000');
  });

  it('time budget: a wait past the deadline stops the run with state saved; the next run resumes', async () => {
    const r = rig();
    const { spec, published } = world('deadline', 430);
    // Two requests per minute: the third would have to wait past a 5-second budget.
    env.emu.setLimits({ rateLimits: { search_recent: 2 }, windowSeconds: 60 });

    const run1 = await r.run([spec], { timeBudgetMs: 5_000, batchSize: 30 });

    expect(run1.summary.streams[0]?.outcome).toBe('deadline');
    expect(run1.requests.map((q) => q.status)).toEqual([200, 200]); // no request was sent to fail
    expect(run1.summary.tweets_delivered).toBe(200);
    const cp = await r.checkpoint('deadline');
    expect(cp?.sweep?.untilId).toBe(r.delivered().at(-1));
    expect(cp?.sweep?.newestId).toBe(published.at(-1));

    env.emu.setLimits({ rateLimits: { search_recent: 450 } });
    const run2 = await r.run([spec], { batchSize: 30 });

    expect(run2.summary.caught_up).toBe(true);
    expectExact(published, r.delivered());
    // The resume asks below until_id, i.e. never again for what was delivered.
    const first = pageRequests(run2.requests)[0];
    expect(first === undefined ? undefined : paramsOf(first).get('until_id')).toBe(cp?.sweep?.untilId);
    expect(repeatedPages([...run1.requests, ...run2.requests])).toEqual([]);
  });

  it('max_tweets: the run delivers exactly the cap, asks no more than it can deliver, the next run fills the gap', async () => {
    const r = rig();
    const { spec, published } = world('capped-run', 330);

    const run1 = await r.run([spec], { maxTweets: 150, batchSize: 40 });

    expect(run1.summary.streams[0]?.outcome).toBe('budget_exhausted');
    expect(run1.summary.tweets_delivered).toBe(150);
    expect(r.delivered()).toEqual(published.slice().reverse().slice(0, 150));
    // The endpoint maximum, then only the remainder of the budget.
    expect(pageRequests(run1.requests).map((p) => paramsOf(p).get('max_results'))).toEqual(['100', '50']);
    const cp = await r.checkpoint('capped-run');
    expect(cp?.sinceId).toBe(spec.initial.kind === 'since_id' ? spec.initial.id : '');
    expect(cp?.sweep?.untilId).toBe(r.delivered().at(-1));

    const run2 = await r.run([spec], { maxTweets: 150, batchSize: 40 });
    expect(run2.summary.tweets_delivered).toBe(150);
    const run3 = await r.run([spec], { maxTweets: 150, batchSize: 40 });

    expect(run3.summary.caught_up).toBe(true);
    expectExact(published, r.delivered());
    expect((await r.checkpoint('capped-run'))?.sinceId).toBe(published.at(-1));
  });
});
