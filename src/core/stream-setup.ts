/** Before the page loop: the user id of a timeline/mentions stream, the first checkpoint, the 7-day window. */
import { callApi, type LeaseGuard } from './api-caller.js';
import {
  needsUser,
  RECENT_SEARCH_WINDOW_MS,
  RECENT_WINDOW_MARGIN_MS,
  userLookupRequest,
} from './endpoints.js';
import { ApiError } from './errors.js';
import { completeSweep, initialCheckpoint, type WriteStamp } from './frontier.js';
import { compareIds, idToTimeMs, isValidId, maxId, timeMsToId } from './ids.js';
import type { Gate } from './pool.js';
import type { Checkpoint } from './ports/checkpoint-store.js';
import { LogEvent, type Logger, MetricName } from './ports/observability.js';
import { Endpoint } from './ports/x-api.js';
import type { RunContext } from './run-context.js';
import type { StreamSpec } from './stream.js';
import type { RequestTally } from './stream-activity.js';

const NUMERIC = /^[0-9]+$/;

/**
 * The user id of a timeline or mentions stream: the checkpoint's, a numeric `user` as is, or one lookup
 * by username. A 200 made only of `errors` means no such user: a non-retryable failure.
 */
export async function resolveUserId(
  run: RunContext,
  spec: StreamSpec,
  checkpoint: Checkpoint | null,
  logger: Logger,
  lease: LeaseGuard,
  tally?: RequestTally,
  gate?: Gate,
): Promise<string | undefined> {
  const source = spec.source;
  if (!needsUser(source)) return undefined;
  if (checkpoint?.userId !== undefined) return checkpoint.userId;
  // An all-digit username (X allows them) is looked up like any other: only an id is taken as is.
  if (source.by !== 'username' && NUMERIC.test(source.user) && isValidId(source.user)) return source.user;
  const request = userLookupRequest(source.user);
  type Lookup = { data?: { id?: unknown }; errors?: { type?: string; detail?: string }[] };
  const lookup = () => callApi<Lookup>(run, request, logger, lease, tally);
  // Streams opened at once: their lookups share the run's `concurrency` request slots.
  const response = await (gate === undefined ? lookup() : gate.run(lookup));
  const id = response.body?.data?.id;
  if (isValidId(id)) return id;
  const problem = response.body?.errors?.[0];
  throw new ApiError(
    `stream ${spec.name}: user ${source.user} not found${problem?.detail ? ` (${problem.detail})` : ''}`,
    response.status,
    Endpoint.userByUsername,
    problem?.type,
  );
}

/** The oldest since_id recent search accepts now, with a minute of margin. */
export function oldestRecentSinceId(nowMs: number): string {
  return timeMsToId(nowMs - RECENT_SEARCH_WINDOW_MS + RECENT_WINDOW_MARGIN_MS);
}

/** since_id of a stream's first run, from its initial position. */
export function initialSinceId(spec: StreamSpec, nowMs: number): string {
  const recent = spec.source.kind === 'search' && !spec.source.archive;
  const initial = spec.initial;
  let sinceId: string;
  if (initial.kind === 'since_id') sinceId = initial.id;
  else if (initial.kind === 'lookback') sinceId = timeMsToId(nowMs - initial.ms);
  else sinceId = timeMsToId(nowMs); // 'now': costs no read
  if (recent) sinceId = maxId(sinceId, oldestRecentSinceId(nowMs));
  return isValidId(sinceId) ? sinceId : '1';
}

/** The checkpoint a stream starts with on its first run. */
export function firstCheckpoint(spec: StreamSpec, at: WriteStamp, userId: string | undefined): Checkpoint {
  return initialCheckpoint(spec.name, initialSinceId(spec, at.nowMs), at, userId);
}

/**
 * Moves since_id up to `floor` when it fell below what the API can still serve (recent search's 7 days),
 * logging a `gap` and the GapSeconds metric instead of failing every run from now on. A pending sweep
 * whose owed range lies wholly below the floor is completed: those posts cannot be fetched any more.
 */
export function skipGap(
  cp: Checkpoint,
  floor: string,
  at: WriteStamp,
  run: RunContext,
  logger: Logger,
  onGap?: (gapSeconds: number) => void,
): Checkpoint {
  if (compareIds(cp.sinceId, floor) >= 0) return cp;
  const gapSeconds = Math.max(0, (idToTimeMs(floor) - idToTimeMs(cp.sinceId)) / 1000);
  logger.log('warn', LogEvent.gap, {
    stream: cp.stream,
    from_since_id: cp.sinceId,
    to_since_id: floor,
    gap_seconds: gapSeconds,
  });
  run.deps.metrics.add(MetricName.gapSeconds, gapSeconds, 'Seconds');
  onGap?.(gapSeconds);
  const sweep = cp.sweep;
  const owedGone =
    sweep !== null &&
    (compareIds(sweep.newestId, floor) <= 0 ||
      (sweep.untilId !== null && compareIds(sweep.untilId, floor) <= 0));
  const next = owedGone ? completeSweep(cp, at) : cp;
  // A completed sweep's newest id can itself be below the window: since_id never stays below the floor.
  if (compareIds(next.sinceId, floor) >= 0) return next;
  return { ...next, sinceId: floor, updatedAt: new Date(at.nowMs).toISOString(), writer: at.writer };
}
