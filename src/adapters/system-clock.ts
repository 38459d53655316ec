/** The real clock. Sleeps are abortable and clear their timer on abort, so nothing lingers. */
import type { Clock } from '../core/ports/clock.js';

/** Clock on Date.now and setTimeout. */
export class SystemClock implements Clock {
  now(): number {
    return Date.now();
  }

  yieldToIo(): Promise<void> {
    return new Promise<void>((resolve) => setImmediate(resolve));
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      const timer = setTimeout(
        () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        Math.max(0, ms),
      );
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}
