import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EmulatorController } from '../admin/index.js';
import {
  type ApiResponse,
  CREDITS_DEPLETED,
  type EndpointKey,
  htmlError,
  NOT_FOUND,
  routeOf,
  SERVER_ERRORS,
  TOO_MANY_REQUESTS,
  UNAUTHORIZED,
  USAGE_CAPPED,
} from '../api/index.js';
import type { FaultKind } from '../faults/index.js';
import type { RateLimitState } from '../limits/index.js';
import { handleApi, type PageFault } from './endpoint-handlers.js';
import { send, type WireFault } from './send.js';

const READS_POSTS: readonly EndpointKey[] = ['search_recent', 'search_all', 'user_tweets', 'user_mentions'];
/** Endpoints a pay-per-use account is billed for: the 402 once the credits are spent. */
const BILLED: readonly EndpointKey[] = [...READS_POSTS, 'user_by_username'];

function bearer(req: IncomingMessage): string | undefined {
  const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  return m?.[1];
}

function statusFault(fault: FaultKind): ApiResponse | undefined {
  switch (fault) {
    case '500':
    case '502':
    case '503':
    case '504':
      return SERVER_ERRORS[fault];
    case 'html-502':
      return htmlError(502);
    case 'html-503':
      return htmlError(503);
    default:
      return undefined;
  }
}

interface Outcome {
  readonly response: ApiResponse;
  readonly rate?: RateLimitState;
  readonly served?: number;
  readonly billed?: number;
  readonly fault?: FaultKind;
  readonly wire?: WireFault;
}

/** Decides the answer to one API request: auth, faults, rate limit, usage cap, then the endpoint. */
function decide(
  controller: EmulatorController,
  req: IncomingMessage,
  url: URL,
  route: ReturnType<typeof routeOf>,
  tokens: readonly string[] | undefined,
): Outcome | { readonly drop: 'reset' | 'hang' } {
  const state = controller.state;
  const now = state.clock.now();
  if (route === undefined) return { response: NOT_FOUND };
  const token = bearer(req);
  if (token === undefined || (tokens !== undefined && !tokens.includes(token)))
    return { response: UNAUTHORIZED };
  const fault = state.faults.next(url.pathname);
  if (fault === 'reset' || fault === 'hang') return { drop: fault };
  const failure = fault === undefined ? undefined : statusFault(fault);
  if (failure !== undefined && fault !== undefined) {
    // The API's own 5xx carry the rate-limit headers; a fronting proxy's HTML pages do not.
    const html = fault === 'html-502' || fault === 'html-503';
    return html
      ? { response: failure, fault }
      : { response: failure, rate: state.limiter.peek(route.endpoint, token, now), fault };
  }
  if (fault === '429') {
    const peek = state.limiter.peek(route.endpoint, token, now);
    return { response: TOO_MANY_REQUESTS, rate: { ...peek, remaining: 0 }, fault };
  }
  const { allowed, state: rate } = state.limiter.take(route.endpoint, token, now);
  if (!allowed) return { response: TOO_MANY_REQUESTS, rate };
  if (READS_POSTS.includes(route.endpoint) && state.usage.capped(now))
    return { response: USAGE_CAPPED, rate };
  // Pay-per-use bills post and user reads alike ($0.010 per user read): both stop at 0 credits.
  if (BILLED.includes(route.endpoint) && state.billing.depleted())
    return { response: CREDITS_DEPLETED, rate };
  const pageFault: PageFault = fault === 'short-page' || fault === 'empty-page' ? fault : undefined;
  const handled = handleApi(state, route.endpoint, route.param, url.searchParams, now, pageFault);
  // Billed = posts not read yet this UTC day (pay-per-use); the usage report counts the same.
  const billed = state.billing.bill(handled.items ?? [], now);
  state.usage.record(billed, now);
  const wire: WireFault = fault === 'truncated' || fault === 'invalid-json' ? fault : undefined;
  return {
    response: handled.response,
    rate,
    served: handled.served,
    billed,
    ...(fault ? { fault } : {}),
    wire,
  };
}

/** Serves one X API request (logged in the request log). */
export function serveApi(
  controller: EmulatorController,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  hanging: Set<ServerResponse>,
  tokens: readonly string[] | undefined,
): void {
  const at = new Date(controller.now()).toISOString();
  const route = req.method === 'GET' ? routeOf(url.pathname) : undefined;
  const outcome = decide(controller, req, url, route, tokens);
  const entry = {
    at,
    method: req.method ?? 'GET',
    url: url.pathname + url.search,
    ...(route ? { endpoint: route.endpoint } : {}),
  };
  if ('drop' in outcome) {
    controller.record({ ...entry, status: 0, served: 0, fault: outcome.drop });
    if (outcome.drop === 'reset') {
      req.socket.destroy();
    } else {
      hanging.add(res);
      res.on('close', () => hanging.delete(res));
    }
    return;
  }
  const { response, rate, served = 0, billed = 0, fault, wire } = outcome;
  controller.record({ ...entry, status: response.status, served, billed, ...(fault ? { fault } : {}) });
  send(req, res, response, rate, wire, controller.now());
}
