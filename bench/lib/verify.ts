import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

/** How a contender's JSONL output compares with the emulator's ground truth. */
export interface Verification {
  readonly lines: number;
  readonly unique: number;
  /** Ground-truth ids missing from the output. */
  readonly missing: number;
  /** Output ids not in the ground truth. */
  readonly extra: number;
  /** True when the set of ids equals the ground truth. */
  readonly exact: boolean;
}

/** Reads the output line by line (bounded memory besides the id sets). */
export async function verifyOutput(outFile: string, groundTruthFile: string): Promise<Verification> {
  const truth = new Set(
    readFileSync(groundTruthFile, 'utf8')
      .split('\n')
      .filter((l) => l !== ''),
  );
  const seen = new Set<string>();
  let lines = 0;
  let extra = 0;
  if (existsSync(outFile)) {
    const rl = createInterface({ input: createReadStream(outFile), crlfDelay: Number.POSITIVE_INFINITY });
    for await (const line of rl) {
      if (line === '') continue;
      lines++;
      let id: string;
      try {
        id = String((JSON.parse(line) as { id: unknown }).id);
      } catch {
        continue;
      }
      if (seen.has(id)) continue;
      seen.add(id);
      if (!truth.has(id)) extra++;
    }
  }
  const missing = truth.size - (seen.size - extra);
  return { lines, unique: seen.size, missing, extra, exact: missing === 0 && extra === 0 };
}
