/** Captures everything written to process.stdout and process.stderr while a function runs. */
import { inspect } from 'node:util';

export async function captureOutput<T>(
  run: () => Promise<T>,
): Promise<{ output: string; result?: T; error?: unknown }> {
  const chunks: string[] = [];
  const out = process.stdout.write;
  const err = process.stderr.write;
  const capture = (chunk: unknown, ...rest: unknown[]) => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
    const callback = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
    callback?.();
    return true;
  };
  process.stdout.write = capture as typeof process.stdout.write;
  process.stderr.write = capture as typeof process.stderr.write;
  try {
    const result = await run();
    return { output: chunks.join(''), result };
  } catch (error) {
    return { output: chunks.join(''), error };
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
}

/** Every way an error could end up printed: message, stack, JSON, and a deep inspect of it and its causes. */
export function everyRendering(error: unknown): string {
  if (error === undefined) return '';
  const parts = [String(error), inspect(error, { depth: 12, showHidden: false })];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && depth < 10; depth++) {
    if (current instanceof Error) {
      parts.push(current.message, current.stack ?? '');
      try {
        parts.push(JSON.stringify(current));
      } catch {
        // circular SDK internals: inspect above already covers them
      }
      current = (current as { cause?: unknown }).cause;
    } else {
      parts.push(String(current));
      current = undefined;
    }
  }
  return parts.join('\n');
}
