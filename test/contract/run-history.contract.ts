import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunHistoryStore, RunRecord, StreamRunRecord } from '../../src/core/ports/run-history.js';

/** A fresh, empty history and how to dispose of it. */
export interface HistoryFixture {
  readonly history: RunHistoryStore;
  cleanup(): Promise<void>;
}

const T0 = Date.UTC(2027, 0, 15, 6, 0, 0);

function stream(name: string, extra: Partial<StreamRunRecord> = {}): StreamRunRecord {
  return {
    stream: name,
    outcome: 'caught_up',
    posts: 10,
    requests: 2,
    rate_limited: 0,
    waits: 0,
    gaps: 0,
    gap_seconds: 0,
    freshness_lag_seconds: 12.5,
    owed_age_seconds: null,
    duration_ms: 900,
    ...extra,
  };
}

/** The run started `i` hours after T0. */
export function run(i: number, streams: readonly StreamRunRecord[] = [stream('a')]): RunRecord {
  return {
    correlation_id: `exec-${i}`,
    started_at: new Date(T0 + i * 3_600_000).toISOString(),
    duration_ms: 1_500,
    caught_up: true,
    streams,
  };
}

/** What every RunHistoryStore shares. `makeHistory` returns a fresh, empty one each time. */
export function describeRunHistoryContract(name: string, makeHistory: () => Promise<HistoryFixture>): void {
  describe(`RunHistoryStore contract: ${name}`, () => {
    let fixture: HistoryFixture;
    beforeEach(async () => {
      fixture = await makeHistory();
    });
    afterEach(async () => fixture.cleanup());

    it('is empty at first', async () => {
      expect(await fixture.history.list()).toEqual([]);
    });

    it('keeps a record exactly, spend and errors included, and lists runs oldest first', async () => {
      const full = run(2, [
        stream('a', { posts_billed: 120, spend_usd: 0.6, outcome: 'failed', error: 'HTTP 503 <html>' }),
        stream('search:"café" OR 🐦', {
          freshness_lag_seconds: null,
          owed_age_seconds: 3600,
          gaps: 1,
          gap_seconds: 42,
        }),
      ]);
      await fixture.history.record(full);
      await fixture.history.record(run(0));
      await fixture.history.record({ ...run(1), max_spend_usd_per_day: 5 });
      const runs = await fixture.history.list();
      expect(runs.map((r) => r.correlation_id)).toEqual(['exec-0', 'exec-1', 'exec-2']);
      expect(runs[2]).toEqual(full);
      expect(runs[1]?.max_spend_usd_per_day).toBe(5);
    });

    it('lists the runs since a time, and the newest n', async () => {
      for (const i of [0, 1, 2, 3, 4]) await fixture.history.record(run(i));
      const since = await fixture.history.list({ sinceMs: T0 + 2 * 3_600_000 });
      expect(since.map((r) => r.correlation_id)).toEqual(['exec-2', 'exec-3', 'exec-4']);
      const newest = await fixture.history.list({ limit: 2 });
      expect(newest.map((r) => r.correlation_id)).toEqual(['exec-3', 'exec-4']);
      const both = await fixture.history.list({ sinceMs: T0 + 3_600_000, limit: 10 });
      expect(both).toHaveLength(4);
    });
  });
}
