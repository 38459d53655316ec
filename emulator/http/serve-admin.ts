import type { IncomingMessage, ServerResponse } from 'node:http';
import { type EmulatorController, GroundTruthError } from '../admin/index.js';
import type { FaultOptions } from '../faults/index.js';
import type { GroundTruthRequest, LimitsUpdate, PublishRequest } from '../options.js';
import { readJson, sendJson } from './send.js';

/** Prefix of the admin API (no auth, JSON in and out). */
export const ADMIN_PREFIX = '/_emulator/';

type Body = Record<string, unknown>;

function asBody(value: unknown): Body {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new Error('expected a JSON object');
  return value as Body;
}

function groundTruthRequest(q: URLSearchParams): GroundTruthRequest {
  const endpoint = q.get('endpoint') ?? 'search_recent';
  if (!['search_recent', 'search_all', 'user_tweets', 'user_mentions'].includes(endpoint)) {
    throw new Error(`unknown endpoint: ${endpoint}`);
  }
  const out: Record<string, string> = { endpoint };
  for (const name of ['query', 'user_id', 'since_id', 'until_id', 'start_time', 'end_time', 'exclude']) {
    const v = q.get(name);
    if (v !== null) out[name] = v;
  }
  return out as unknown as GroundTruthRequest;
}

async function route(
  controller: EmulatorController,
  req: IncomingMessage,
  url: URL,
): Promise<[number, unknown]> {
  const action = `${req.method} ${url.pathname.slice(ADMIN_PREFIX.length)}`;
  switch (action) {
    case 'GET health':
      return [
        200,
        { now: new Date(controller.now()).toISOString(), posts: controller.state.world.posts.count },
      ];
    case 'POST publish':
      return [200, { data: controller.publish(asBody(await readJson(req)) as PublishRequest) }];
    case 'GET ground-truth': {
      const ids = controller.groundTruth(groundTruthRequest(url.searchParams));
      return [200, { ids, count: ids.length }];
    }
    case 'POST faults':
      controller.setFaults(asBody(await readJson(req)) as FaultOptions);
      return [200, { ok: true }];
    case 'POST limits':
      controller.setLimits(asBody(await readJson(req)) as LimitsUpdate);
      return [200, { ok: true }];
    case 'GET credits':
      return [200, { balance: controller.state.billing.balance ?? null }];
    case 'POST credits': {
      const body = asBody(await readJson(req));
      const balance = body.balance;
      const add = body.add;
      if (
        balance !== undefined &&
        balance !== null &&
        !(Number.isInteger(balance) && (balance as number) >= 0)
      )
        throw new Error('balance must be a non-negative integer or null');
      if (add !== undefined && !(Number.isInteger(add) && (add as number) >= 0))
        throw new Error('add must be a non-negative integer');
      controller.setCredits({
        ...(balance === undefined ? {} : { balance: balance as number | null }),
        ...(add === undefined ? {} : { add: add as number }),
      });
      return [200, { balance: controller.state.billing.balance ?? null }];
    }
    case 'GET requests':
      return [200, { requests: controller.log, status_counts: Object.fromEntries(controller.statusCounts) }];
    case 'POST reset':
      controller.reset(asBody(await readJson(req)) as { seed?: number; posts?: number });
      return [200, { ok: true }];
    case 'POST clock': {
      const body = asBody(await readJson(req));
      if (typeof body.advance_ms === 'number') controller.state.clock.advance(body.advance_ms);
      if (typeof body.set === 'string' || typeof body.set === 'number')
        controller.state.clock.set(new Date(body.set).getTime());
      return [200, { now: new Date(controller.now()).toISOString() }];
    }
    case 'GET users': {
      const limit = Math.min(Number(url.searchParams.get('limit') ?? 20) || 20, 1000);
      const { users, posts } = controller.state.world;
      const list = users.users.slice(0, limit).map((u, i) => ({
        id: u.id,
        username: u.username,
        posts: posts.byAuthor[i]?.length ?? 0,
        mentions: posts.byMention[i]?.length ?? 0,
      }));
      return [200, { users: list }];
    }
    default:
      return [404, { error: `no admin route ${action}` }];
  }
}

/** Serves one `/_emulator/*` request. */
export async function serveAdmin(
  controller: EmulatorController,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
) {
  try {
    const [status, body] = await route(controller, req, url);
    sendJson(res, status, body);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const detail = error instanceof GroundTruthError ? JSON.parse(error.body) : undefined;
    sendJson(res, 400, { error: message, ...(detail ? { problem: detail } : {}) });
  }
}
