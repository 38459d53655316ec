/** What bench/lib/request-trace.mjs writes: the process's birth and exit and each request's times (ms). */
export interface Trace {
  readonly born: number;
  readonly exit: number;
  readonly requests: [made: number, began: number, ended: number][];
}

/**
 * Splits the time from the first request to the last answer into "a request in flight" and "none in
 * flight" (the process between an answer and its next request: the API idle meanwhile).
 */
export function summarize(trace: Trace): Record<string, number> {
  const r = [...trace.requests].sort((a, b) => a[0] - b[0]);
  let inFlight = 0;
  let from = r[0]?.[0] ?? 0;
  let to = r[0]?.[2] ?? 0;
  for (const [made, , ended] of r) {
    if (made > to) {
      inFlight += to - from;
      from = made;
    }
    to = Math.max(to, ended);
  }
  inFlight += to - from;
  const span = to - (r[0]?.[0] ?? 0);
  const n = Math.max(1, r.length);
  return {
    requests: r.length,
    to_first_request_ms: Math.round((r[0]?.[0] ?? 0) - trace.born),
    span_ms: Math.round(span),
    none_in_flight_ms: Math.round(span - inFlight),
    in_flight_ms_per_request: +(inFlight / n).toFixed(2),
    none_in_flight_ms_per_request: +((span - inFlight) / n).toFixed(2),
    after_last_answer_ms: Math.round(trace.exit - to),
  };
}
