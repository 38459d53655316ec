import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SystemClock } from '../../src/adapters/system-clock.js';
import { ManualClock } from '../support/manual-clock.js';

describe('SystemClock', () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it('resolves a sleep after its time', async () => {
    const clock = new SystemClock();
    let done = false;
    const sleep = clock.sleep(1000).then(() => {
      done = true;
    });
    await vi.advanceTimersByTimeAsync(999);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await sleep;
    expect(done).toBe(true);
  });

  it('rejects with the abort reason and clears its timer', async () => {
    const clock = new SystemClock();
    const controller = new AbortController();
    const sleep = clock.sleep(60_000, controller.signal);
    const reason = new Error('stop');
    controller.abort(reason);
    await expect(sleep).rejects.toBe(reason);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('rejects at once when the signal already aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('already'));
    await expect(new SystemClock().sleep(10, controller.signal)).rejects.toThrow('already');
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('ManualClock', () => {
  it('advances virtual time on sleep and records the waits', async () => {
    const clock = new ManualClock(1000);
    await clock.sleep(250);
    await clock.sleep(50);
    expect(clock.now()).toBe(1300);
    expect(clock.sleeps).toEqual([250, 50]);
  });
});
