/**
 * `RunOptions.concurrency` > 1: what stops one stream of a run stops all of them, and a failed commit
 * still wins over the stop (commit-failure.ts), with several streams holding a turn at once.
 */
import { describe, expect, it } from 'vitest';
import { SinkError, UsageCapExceededError } from '../../src/core/errors.js';
import { runExecution } from '../../src/core/run.js';
import { harness, recentIds, searchStream, testOptions } from '../support/harness.js';
import { QueryRoutedXApi } from '../support/query-routed-x-api.js';

const START = Date.UTC(2026, 10, 28, 12, 0, 0);

/** Three streams of 300 posts each, one world per query. */
function threeStreams() {
  const h = harness();
  const api = new QueryRoutedXApi(h.clock);
  const specs = [0, 1, 2].map((i) => {
    api.world(`q${i}`).publish(recentIds(START, 300, 60_000 + i * 500_000));
    return searchStream({
      name: `s${i}`,
      source: { kind: 'search', query: `q${i}`, archive: false },
      initial: { kind: 'lookback', ms: 3_600_000 },
    });
  });
  return { h, api, specs, deps: { ...h.deps, api } };
}

describe('runExecution with concurrency 3', () => {
  it('polls the three streams at once: their first requests go out before any answer is back', async () => {
    const w = threeStreams();
    let inFlight = 0;
    let most = 0;
    const api = {
      get: async <T>(...args: Parameters<QueryRoutedXApi['get']>) => {
        most = Math.max(most, ++inFlight);
        await new Promise((resolve) => setImmediate(resolve));
        inFlight--;
        return w.api.get<T>(...args);
      },
    };
    const summary = await runExecution({ ...w.deps, api }, w.specs, testOptions({ concurrency: 3 }));
    expect(summary.caught_up).toBe(true);
    expect(summary.tweets_delivered).toBe(900);
    expect(most).toBe(3);
  });

  it('a usage cap met by one stream ends every stream as usage_capped, state saved', async () => {
    const w = threeStreams();
    w.api
      .world('q1')
      .faults.push(
        () => undefined,
        new UsageCapExceededError(
          'capped',
          429,
          'search_recent',
          'https://api.x.com/2/problems/usage-capped',
        ),
      );
    const summary = await runExecution(w.deps, w.specs, testOptions({ concurrency: 3 }));
    expect(summary.streams.map((s) => s.outcome)).toEqual(['usage_capped', 'usage_capped', 'usage_capped']);
    // What was delivered is committed: a later run delivers exactly the rest.
    const again = await runExecution(w.deps, w.specs, testOptions({ concurrency: 3 }));
    expect(again.caught_up).toBe(true);
    expect(new Set(w.h.sink.ids).size).toBe(900);
    expect(w.h.sink.ids).toHaveLength(900);
  });

  it('a failed flush is failed, not deadline, while the other streams stop for the abort', async () => {
    const w = threeStreams();
    const controller = new AbortController();
    w.h.sink.afterWrite = () => controller.abort(new Error('received SIGTERM'));
    w.h.sink.flushFailures.push(new SinkError('cannot fsync posts.jsonl: EIO', false));
    const summary = await runExecution(
      w.deps,
      w.specs,
      testOptions({ concurrency: 3, batchSize: 10 }),
      controller.signal,
    );
    const outcomes = summary.streams.map((s) => s.outcome);
    expect(outcomes.filter((o) => o === 'failed')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'deadline')).toHaveLength(2);
    expect(summary.streams.find((s) => s.outcome === 'failed')?.error).toContain('EIO');
  });
});
