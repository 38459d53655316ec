/**
 * The fan-out planner hands out the most-behind streams first: by the fair-share state (`fair_lag`)
 * each stream's checkpoint carries, then the least recently written, then the configured order.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteCheckpointStore } from '../../src/adapters/stores/sqlite.js';
import { orderStreams, type ShardMessage, type StreamStanding } from '../../src/core/fleet.js';
import { CHECKPOINT_SCHEMA_VERSION, type Checkpoint } from '../../src/core/ports/checkpoint-store.js';
import type { StreamSpec } from '../../src/core/stream.js';
import { planWave, type ShardSender } from '../../src/entrypoints/fleet.js';
import { tempDir } from '../property/support.js';

const at = (hour: number) => `2026-12-01T${String(hour).padStart(2, '0')}:00:00.000Z`;

describe('orderStreams', () => {
  it.each<[string, string[], [string, StreamStanding][], string[]]>([
    [
      'the largest fair_lag first, whatever the write times',
      ['a', 'b', 'c'],
      [
        ['a', { updatedAt: at(1), fairLag: 2 }],
        ['b', { updatedAt: at(9), fairLag: 40.5 }],
        ['c', { updatedAt: at(5), fairLag: 7 }],
      ],
      ['b', 'c', 'a'],
    ],
    [
      'a stream ahead (negative lag) goes after every stream at 0, even one never written',
      ['ahead', 'even', 'new'],
      [
        ['ahead', { updatedAt: at(1), fairLag: -3 }],
        ['even', { updatedAt: at(9) }],
      ],
      ['new', 'even', 'ahead'],
    ],
    [
      'among equal lags: never written first, then the least recently written',
      ['a', 'b', 'c', 'd'],
      [
        ['a', { updatedAt: at(10) }],
        ['c', { updatedAt: at(8) }],
      ],
      ['b', 'd', 'c', 'a'],
    ],
    [
      'full ties keep the configured order',
      ['z', 'y', 'x'],
      [
        ['z', { updatedAt: at(3), fairLag: 1 }],
        ['y', { updatedAt: at(3), fairLag: 1 }],
        ['x', { updatedAt: at(3), fairLag: 1 }],
      ],
      ['z', 'y', 'x'],
    ],
  ])('%s', (_name, names, standing, expected) => {
    expect(orderStreams(names, new Map(standing))).toEqual(expected);
  });
});

class RecordingShardSender implements ShardSender {
  readonly sent: ShardMessage[] = [];
  async send(shards: readonly ShardMessage[]): Promise<void> {
    this.sent.push(...shards);
  }
}

const spec = (name: string): StreamSpec => ({
  name,
  source: { kind: 'search', query: name, archive: false },
  tweetFields: [],
  userFields: [],
  expansions: [],
  initial: { kind: 'now' },
  overlapSeconds: 0,
});

describe('planWave on a SQLite store', () => {
  const dirs: { remove: () => void }[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) d.remove();
  });

  it('reads each stream fair_lag from its checkpoint and puts the most behind in the first shard', async () => {
    // Prepare: five streams; four have checkpoints with the fair-share state a worker's run saved.
    const dir = tempDir('tp-fleet-order-');
    dirs.push(dir);
    const store = new SqliteCheckpointStore({ path: join(dir.dir, 'state.db') });
    const saved: [string, number | undefined, number][] = [
      ['s0', undefined, 1],
      ['s1', 12.5, 9],
      ['s2', -4, 0],
      ['s3', 3, 2],
    ];
    for (const [stream, lag, hour] of saved) {
      const lease = await store.acquireLease(stream, 'test', 60_000, Date.now());
      const checkpoint: Checkpoint = {
        stream,
        schemaVersion: CHECKPOINT_SCHEMA_VERSION,
        sinceId: '1000',
        sweep: null,
        ...(lag === undefined ? {} : { fairLag: lag }),
        updatedAt: at(hour),
        writer: 'test',
      };
      await store.save(checkpoint, lease!);
      await store.releaseLease(lease!);
    }
    const sender = new RecordingShardSender();

    // Act
    const plan = await planWave(['s0', 's1', 's2', 's3', 's4'].map(spec), store, sender, 2, 'wave-1');
    await store.close();

    // Assess: lag 12.5, lag 3, then the lag-0 streams (never written s4 before s0), then s2 (ahead).
    expect(plan).toEqual({ wave: 'wave-1', streams: 5, shards: 3 });
    expect(sender.sent.map((s) => s.streams)).toEqual([['s1', 's3'], ['s4', 's0'], ['s2']]);
  });
});
