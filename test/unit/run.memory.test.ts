/**
 * Memory with many streams (issue 10): a stream waiting for its turn holds no page of its own. A
 * suspended async function keeps the values of its registers; when the page loop kept the parsed
 * response in its own frame, every waiting stream of a run held its last page (100 streams: 10,001
 * posts alive mid-run, bench/README.md, session 6). Checked with a real collection: the test exposes
 * V8's gc() in-process and watches the page through a WeakRef.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import type { ApiRequest } from '../../src/core/ports/x-api.js';
import { runExecution } from '../../src/core/run.js';
import { harness, recentIds, searchStream, testOptions } from '../support/harness.js';
import { QueryRoutedXApi } from '../support/query-routed-x-api.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const START = Date.UTC(2026, 10, 28, 12, 0, 0);

describe('many streams, memory', () => {
  it('a stream waiting for its turn no longer holds its last page once it has been delivered', async () => {
    const h = harness();
    const routed = new QueryRoutedXApi(h.clock);
    const specs = ['a', 'b'].map((q, i) => {
      routed.world(q).publish(recentIds(START, 300, 60_000 + i * 100_000));
      return searchStream({
        name: `s-${q}`,
        source: { kind: 'search', query: q, archive: false },
        initial: { kind: 'lookback', ms: 3_600_000 },
      });
    });
    // Stream a's pages, watched; checked while stream b holds the turn (a is then waiting for its next).
    const pagesOfA: WeakRef<object>[] = [];
    const checks: boolean[] = [];
    const api = {
      get: async <T>(request: ApiRequest, signal?: AbortSignal) => {
        const query = request.params.query;
        if (query === 'b' && pagesOfA.length > 0) {
          // Let stream a finish delivering its page (its commit included), then collect.
          for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
          gc();
          await new Promise((resolve) => setImmediate(resolve));
          checks.push(pagesOfA.at(-1)?.deref() === undefined);
        }
        const response = await routed.get<T>(request, signal);
        if (query === 'a') pagesOfA.push(new WeakRef(response.body as object));
        return response;
      },
    };
    const summary = await runExecution(
      { ...h.deps, api },
      specs,
      testOptions({ batchSize: 100, maxTweets: 10_000, commitPages: 2 }),
    );
    expect(summary.tweets_delivered).toBe(600);
    // b's requests after a's first, second and third page: a held none of them.
    expect(checks.length).toBeGreaterThanOrEqual(2);
    expect(checks).toEqual(checks.map(() => true));
  });
});
