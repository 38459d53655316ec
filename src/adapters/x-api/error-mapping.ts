/**
 * Translates a non-2xx response into the typed errors of core/errors.ts. Bodies may be problem+json,
 * plain JSON or a proxy's HTML page; none of them, nor any header, ever reaches an error message
 * verbatim beyond a short excerpt, and that excerpt is redacted (the token, any `Bearer ...`).
 */
import {
  ApiError,
  AuthenticationError,
  RateLimitExceededError,
  type ResponseMeta,
  StaleSinceIdError,
  UsageCapExceededError,
} from '../../core/errors.js';
import { redactSecrets } from '../../core/redaction.js';

interface ProblemBody {
  readonly type?: string;
  readonly title?: string;
  readonly detail?: string;
  readonly messages: readonly string[];
}

const MAX_EXCERPT = 300;
const STALE_SINCE = /'since_id' must be a tweet id created after/i;
const SUGGESTED_ID = /larger than ([0-9]{1,19})/;

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The problem fields of a JSON body; for HTML or garbage, only a short excerpt as `detail`. */
export function parseProblem(text: string, contentType: string | null): ProblemBody {
  const looksJson = /json/i.test(contentType ?? '') || /^\s*[{[]/.test(text);
  if (looksJson) {
    try {
      const body = JSON.parse(text) as Record<string, unknown>;
      const errors = Array.isArray(body.errors) ? (body.errors as Record<string, unknown>[]) : [];
      const messages = errors.flatMap((e) =>
        [str(e?.message), str(e?.detail)].filter((m): m is string => !!m),
      );
      const first = errors[0];
      const result: { -readonly [K in keyof ProblemBody]: ProblemBody[K] } = { messages };
      const type = str(body.type) ?? str(first?.type);
      const title = str(body.title) ?? str(first?.title);
      const detail = str(body.detail) ?? str(first?.detail) ?? str(first?.message);
      if (type !== undefined) result.type = type;
      if (title !== undefined) result.title = title;
      if (detail !== undefined) result.detail = detail;
      return result;
    } catch {
      // fall through: treat as text
    }
  }
  const title = /<title>([^<]{0,200})<\/title>/i.exec(text)?.[1]?.trim();
  const plain = text
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, MAX_EXCERPT);
  return { ...(title ? { title } : {}), ...(plain ? { detail: plain } : {}), messages: [] };
}

/** A non-2xx response as the right error class. */
export function mapHttpError(
  status: number,
  endpoint: string,
  text: string,
  contentType: string | null,
  meta: ResponseMeta,
  secrets: readonly string[] = [],
): ApiError {
  const problem = parseProblem(text, contentType);
  // Redacted here, where the body becomes a message: a proxy may echo the Authorization header.
  const describe = redactSecrets(
    [problem.title, problem.detail].filter(Boolean).join(': ').slice(0, MAX_EXCERPT),
    secrets,
  );
  const message = `${endpoint}: HTTP ${status}${describe ? ` ${describe}` : ''}`;
  if (status === 401) {
    return new AuthenticationError(
      `${endpoint}: HTTP 401: the bearer token was rejected (missing, wrong or revoked)`,
      status,
      endpoint,
      problem.type,
      meta,
    );
  }
  if (status === 429) {
    const capped = (problem.type ?? '').endsWith('/usage-capped') || problem.title === 'UsageCapExceeded';
    const Class = capped ? UsageCapExceededError : RateLimitExceededError;
    return new Class(message, status, endpoint, problem.type, meta);
  }
  if (status === 400) {
    const texts = [problem.detail ?? '', ...problem.messages];
    const stale = texts.find((t) => STALE_SINCE.test(t));
    if (stale !== undefined) return new StaleSinceIdError(message, endpoint, SUGGESTED_ID.exec(stale)?.[1]);
  }
  return new ApiError(message, status, endpoint, problem.type, meta);
}
