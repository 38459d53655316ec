import { describe, expect, it } from 'vitest';
import { idToTimeMs, timeMsToId } from '../../src/core/ids.js';
import { runExecution } from '../../src/core/run.js';
import { harness, recentIds, searchStream, testOptions } from '../support/harness.js';

const START = Date.UTC(2026, 10, 28, 12, 0, 0);
const since = timeMsToId(START - 10 * 60_000);

describe('runExecution overlap', () => {
  it('re-reads overlapSeconds behind since_id, delivering late arrivals but not what it already delivered', async () => {
    // Prepare: 20 posts in the last minute, delivered by a first run.
    const stream = searchStream({ initial: { kind: 'since_id', id: since }, overlapSeconds: 60 });
    const ids = recentIds(START, 20);
    const h = harness(ids);
    await runExecution(h.deps, [stream], testOptions({ batchSize: 7 }));
    const cp = await h.store.load(stream.name);
    expect(cp?.sinceId).toBe(ids[0]);
    expect(cp?.recentIds).toHaveLength(20);
    // A post indexed late: created before since_id, visible only now.
    const late = (BigInt(ids[5]!) + 1n).toString();
    h.api.publish([late]);
    h.clock.advance(10_000);
    // Act
    await runExecution(h.deps, [stream], testOptions({ batchSize: 7 }));
    // Assess
    const request = h.api.requests.at(-1)!;
    expect(request.params.since_id).toBe(timeMsToId(idToTimeMs(ids[0]!) - 60_000));
    expect(h.sink.ids).toEqual([...ids, late]);
    expect((await h.store.load(stream.name))?.sinceId).toBe(ids[0]);
  });

  it('keeps no recent ids when overlap is off', async () => {
    const h = harness(recentIds(START, 5));
    await runExecution(h.deps, [searchStream({ initial: { kind: 'since_id', id: since } })], testOptions());
    expect((await h.store.load('search-a'))?.recentIds).toBeUndefined();
  });
});
