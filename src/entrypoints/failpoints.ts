/**
 * The test-only failpoint switch of the CLI: `TWITTER_POLLER_FAILPOINT=<label>:<n>` kills the process
 * with SIGKILL the n-th time the poll loop reaches `<label>` (a Failpoint value). The crash-matrix
 * tests (test/chaos/) use it; nothing else should. Unset (the default), it costs nothing.
 */
import { ConfigError } from '../core/errors.js';
import { Failpoint, type FailpointLabel } from '../core/run-types.js';

const LABELS = new Set<string>(Object.values(Failpoint));

/** Parses `<label>:<n>` (n >= 1, default 1); undefined when `raw` is unset or empty. */
export function parseFailpoint(raw: string | undefined): { label: FailpointLabel; nth: number } | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  const [label = '', n = '1'] = raw.trim().split(':');
  const nth = Number(n);
  if (!LABELS.has(label) || !Number.isInteger(nth) || nth < 1) {
    throw new ConfigError(
      `invalid TWITTER_POLLER_FAILPOINT: expected <label>:<n> with label one of ${[...LABELS].join(', ')}`,
      'TWITTER_POLLER_FAILPOINT',
    );
  }
  return { label: label as FailpointLabel, nth };
}

/** The failpoint hook from the environment: SIGKILLs this process on the n-th hit of the label. */
export function failpointFromEnv(
  env: Readonly<Record<string, string | undefined>> = process.env,
  kill: () => void = () => process.kill(process.pid, 'SIGKILL'),
): ((label: FailpointLabel) => void) | undefined {
  const spec = parseFailpoint(env.TWITTER_POLLER_FAILPOINT);
  if (spec === undefined) return undefined;
  let hits = 0;
  return (label) => {
    if (label !== spec.label) return;
    hits++;
    if (hits === spec.nth) kill();
  };
}
