/**
 * What one stream did in a run, counted as it happens (streams are interleaved, so the run's totals
 * cannot be split after the fact): requests, 429s, rate-limit waits, gaps, and its freshness. The run
 * history (src/core/run-history.ts) and `execution_end` read it through the stream's summary.
 */
import { isNewer, lagSeconds } from './freshness.js';

/** Counters a paced API call reports to (src/core/api-caller.ts). */
export interface RequestTally {
  countRequest(): void;
  countRateLimited(): void;
  countRateLimitWait(): void;
}

/** One stream's activity in one run. */
export class StreamActivity implements RequestTally {
  apiRequests = 0;
  /** HTTP 429 answers received (retried or not). */
  rateLimited = 0;
  rateLimitWaits = 0;
  /** `gap` events and the seconds they skipped. */
  gaps = 0;
  gapSeconds = 0;
  /** The newest delivered post's creation time (epoch ms) and its lag when it became durable. */
  newestCreatedMs: number | undefined;
  freshnessLagSeconds: number | undefined;

  constructor(readonly startedMs: number) {}

  countRequest(): void {
    this.apiRequests++;
  }
  countRateLimited(): void {
    this.rateLimited++;
  }
  countRateLimitWait(): void {
    this.rateLimitWaits++;
  }
  countGap(seconds: number): void {
    this.gaps++;
    this.gapSeconds += seconds;
  }

  /** A page whose newest post was created at `createdMs` became durable at `nowMs`. */
  committed(createdMs: number, nowMs: number): void {
    if (!isNewer(createdMs, this.newestCreatedMs)) return;
    this.newestCreatedMs = createdMs;
    this.freshnessLagSeconds = lagSeconds(createdMs, nowMs);
  }
}
