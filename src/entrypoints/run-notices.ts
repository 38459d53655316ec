/**
 * The CLI's human lines during a run, from its typed events (src/core/ports/run-events.ts): they go
 * out as things happen, right after the JSON line saying the same, so `execution_end` stays last.
 */
import type { RunEvent, RunObserver } from '../core/ports/run-events.js';

/** The human line an event deserves, if any. */
export function noticeOf(event: RunEvent): string | undefined {
  switch (event.type) {
    case 'stream_skipped':
      return `stream "${event.stream}" skipped: its lease is held by another execution (${event.reason})`;
    case 'credits_depleted':
      return 'the X API credits are depleted (HTTP 402): every stream stopped with its state saved. Top up the credits; the next run makes one probe request and resumes once it succeeds';
    case 'stream_error':
      return event.code === 'authentication'
        ? 'the API rejected the bearer token (HTTP 401): check X_BEARER_TOKEN (the token is not shown)'
        : `stream "${event.stream}" failed: ${event.reason}`;
    default:
      return undefined;
  }
}

/** An observer that says each event's human line, then passes the event on to `next`. */
export function runNotices(say: (text: string) => void, next?: RunObserver): RunObserver {
  return {
    onEvent(event) {
      next?.onEvent(event);
      const text = noticeOf(event);
      if (text !== undefined) say(text);
    },
  };
}
