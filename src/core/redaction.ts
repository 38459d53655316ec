/**
 * The one redaction every exit passes: logs, error messages built from response bodies, the run
 * summary (returned by the Lambda handler or logged by the CLI) and thrown errors. It replaces each
 * known secret (the bearer token, also in its JSON-escaped form) and any `Bearer <credential>` it
 * finds, known or not (an egress proxy echoing the Authorization header of another app, say).
 */

/** Tokens shorter than this are not redacted: replacing a 2-letter string everywhere would garble logs. */
const MIN_SECRET_LENGTH = 6;

/**
 * `Bearer` followed by a credential (RFC 6750 b64token characters, plus the URL-encoded `%`) of at
 * least 12 characters: real tokens are far longer, and prose such as "the bearer token was rejected"
 * stays readable.
 */
const BEARER = /\bBearer(\s+|%20|\+)[A-Za-z0-9\-._~+/%]{12,}=*/gi;

/** The marker left where a secret was. */
export const REDACTED = '[REDACTED]';

/** Replaces every occurrence of each secret, and every `Bearer <credential>`, with `[REDACTED]`. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= MIN_SECRET_LENGTH && out.includes(secret)) out = out.split(secret).join(REDACTED);
    // JSON.stringify may have escaped characters of the secret; catch that form too.
    const escaped = JSON.stringify(secret).slice(1, -1);
    if (escaped !== secret && escaped.length >= MIN_SECRET_LENGTH) out = out.split(escaped).join(REDACTED);
  }
  return out.replace(BEARER, `Bearer ${REDACTED}`);
}

/** A JSON-shaped value (a summary, a payload) with every string in it passed through redactSecrets. */
export function redactValue<T>(value: T, secrets: readonly string[]): T {
  if (typeof value === 'string') return redactSecrets(value, secrets) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => redactValue(v, secrets)) as T;
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = redactValue(v, secrets);
    return out as T;
  }
  return value;
}
