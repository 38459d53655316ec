import { describe, expect, it } from 'vitest';
import { parseCheckpoint } from '../../src/core/checkpoint.js';
import { CorruptCheckpointError } from '../../src/core/errors.js';
import { afterBatch, completeSweep, startSweep, sweepBounds } from '../../src/core/frontier.js';
import { CHECKPOINT_SCHEMA_VERSION, type Checkpoint } from '../../src/core/ports/checkpoint-store.js';

const base: Checkpoint = {
  stream: 's',
  schemaVersion: CHECKPOINT_SCHEMA_VERSION,
  sinceId: '100',
  sweep: null,
  updatedAt: '2026-11-28T12:00:00.000Z',
  writer: 'w',
};
const at = { nowMs: Date.UTC(2026, 10, 28), writer: 'run-2' };

describe('parseCheckpoint', () => {
  it.each([
    ['not an object', 42],
    ['an unknown schema version', { ...base, schemaVersion: 1 }],
    ['another stream', { ...base, stream: 'other' }],
    ['a non-numeric since_id', { ...base, sinceId: '12a' }],
    ['a numeric since_id', { ...base, sinceId: 100 }],
    ['until_id at since_id', { ...base, sweep: { newestId: '300', untilId: '100', nextToken: null } }],
    ['until_id above newest_id', { ...base, sweep: { newestId: '300', untilId: '400', nextToken: null } }],
    ['newest_id below since_id', { ...base, sweep: { newestId: '50', untilId: null, nextToken: null } }],
    ['a bad user_id', { ...base, userId: 'bob' }],
  ])('rejects %s as corrupt', (_name, raw) => {
    expect(() => parseCheckpoint(raw, 's')).toThrow(CorruptCheckpointError);
  });

  it('accepts a valid checkpoint with a sweep', () => {
    const raw = { ...base, sweep: { newestId: '300', untilId: '200', nextToken: 'abc' }, userId: '7' };
    expect(parseCheckpoint(raw, 's')).toEqual(raw);
  });
});

describe('frontier transitions', () => {
  it('starts a new sweep with since_id only, resumes a pending one below until_id', () => {
    expect(sweepBounds(base)).toEqual({ sinceId: '100', untilId: undefined });
    const started = startSweep(base, '300');
    expect(sweepBounds(started)).toEqual({ sinceId: '100', untilId: '301' });
    const after = afterBatch(started, '250', null, false, at);
    expect(sweepBounds(after)).toEqual({ sinceId: '100', untilId: '250' });
    expect(after.writer).toBe('run-2');
  });

  it('never raises until_id, and completes the sweep by moving since_id to newest_id', () => {
    const cp = afterBatch(startSweep(base, '300'), '200', 'tok', false, at);
    expect(afterBatch(cp, '250', null, false, at).sweep?.untilId).toBe('200');
    const done = completeSweep(cp, at);
    expect(done.sinceId).toBe('300');
    expect(done.sweep).toBeNull();
    expect(afterBatch(cp, '150', null, true, at).sinceId).toBe('300');
  });

  it('keeps until_id above since_id when an overlap re-read delivers older ids', () => {
    const cp = afterBatch(startSweep(base, '300'), '90', null, false, at);
    expect(cp.sweep?.untilId).toBe('101');
    expect(() => parseCheckpoint(cp, 's')).not.toThrow();
  });
});
