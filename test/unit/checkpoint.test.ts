import { describe, expect, it } from 'vitest';
import { parseCheckpoint } from '../../src/core/checkpoint.js';
import { CorruptCheckpointError } from '../../src/core/errors.js';
import { afterBatch, completeSweep, startSweep, sweepBounds } from '../../src/core/frontier.js';
import { CHECKPOINT_SCHEMA_VERSION, type Checkpoint } from '../../src/core/ports/checkpoint-store.js';

const base: Checkpoint = {
  stream: 's',
  schema_version: CHECKPOINT_SCHEMA_VERSION,
  since_id: '100',
  sweep: null,
  updated_at: '2026-11-28T12:00:00.000Z',
  writer: 'w',
};
const at = { nowMs: Date.UTC(2026, 10, 28), writer: 'run-2' };

describe('parseCheckpoint', () => {
  it.each([
    ['not an object', 42],
    ['an unknown schema version', { ...base, schema_version: 1 }],
    ['another stream', { ...base, stream: 'other' }],
    ['a non-numeric since_id', { ...base, since_id: '12a' }],
    ['a numeric since_id', { ...base, since_id: 100 }],
    ['until_id at since_id', { ...base, sweep: { newest_id: '300', until_id: '100', next_token: null } }],
    ['until_id above newest_id', { ...base, sweep: { newest_id: '300', until_id: '400', next_token: null } }],
    ['newest_id below since_id', { ...base, sweep: { newest_id: '50', until_id: null, next_token: null } }],
    ['a bad user_id', { ...base, user_id: 'bob' }],
  ])('rejects %s as corrupt', (_name, raw) => {
    expect(() => parseCheckpoint(raw, 's')).toThrow(CorruptCheckpointError);
  });

  it('accepts a valid checkpoint with a sweep', () => {
    const raw = { ...base, sweep: { newest_id: '300', until_id: '200', next_token: 'abc' }, user_id: '7' };
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
    expect(afterBatch(cp, '250', null, false, at).sweep?.until_id).toBe('200');
    const done = completeSweep(cp, at);
    expect(done.since_id).toBe('300');
    expect(done.sweep).toBeNull();
    expect(afterBatch(cp, '150', null, true, at).since_id).toBe('300');
  });

  it('keeps until_id above since_id when an overlap re-read delivers older ids', () => {
    const cp = afterBatch(startSweep(base, '300'), '90', null, false, at);
    expect(cp.sweep?.until_id).toBe('101');
    expect(() => parseCheckpoint(cp, 's')).not.toThrow();
  });
});
