import { Prng } from '../world/index.js';

/** Every fault the emulator can inject. */
export const FAULT_KINDS = [
  '429',
  '500',
  '502',
  '503',
  '504',
  'html-502',
  'html-503',
  'reset',
  'hang',
  'truncated',
  'invalid-json',
  'short-page',
  'empty-page',
] as const;

/** A fault kind. */
export type FaultKind = (typeof FAULT_KINDS)[number];

/**
 * A scripted fault: `{ at: 3, fault: '503' }` hits the 3rd API request of the run;
 * `{ path: '/2/tweets/search/recent', nth: 2, count: 3, fault: 'reset' }` hits the 2nd, 3rd and 4th
 * requests whose path starts with `path`.
 */
export interface ScriptedFault {
  readonly fault: FaultKind;
  /** 1-based sequence number among all API requests. */
  readonly at?: number;
  /** Path prefix the rule counts (default: every API request). */
  readonly path?: string;
  /** 1-based index among requests matching `path`. @default 1 */
  readonly nth?: number;
  /** Consecutive matching requests hit. @default 1 */
  readonly count?: number;
}

/** Fault configuration: scripted rules plus seeded random faults. */
export interface FaultOptions {
  /** @default [] */
  readonly scripted?: readonly ScriptedFault[];
  /** Probability that an API request gets a random fault. @default 0 */
  readonly rate?: number;
  /** Kinds drawn for random faults. @default every kind except 'hang' */
  readonly kinds?: readonly FaultKind[];
  /** Seed of the random-fault PRNG. @default 1 */
  readonly seed?: number;
}

/** Decides, per API request, which fault (if any) to inject. */
export class FaultPlan {
  private seq = 0;
  private readonly pathCounts = new Map<number, number>();
  private rng: Prng;

  constructor(private options: FaultOptions = {}) {
    this.rng = new Prng(options.seed ?? 1);
  }

  /** Replaces the configuration and restarts counting. */
  configure(options: FaultOptions): void {
    this.options = options;
    this.rng = new Prng(options.seed ?? 1);
    this.seq = 0;
    this.pathCounts.clear();
  }

  /** The current configuration. */
  get config(): FaultOptions {
    return this.options;
  }

  /** The fault for the next API request to `path`, if any. */
  next(path: string): FaultKind | undefined {
    this.seq++;
    let hit: FaultKind | undefined;
    (this.options.scripted ?? []).forEach((rule, r) => {
      if (rule.at !== undefined) {
        if (rule.at === this.seq && hit === undefined) hit = rule.fault;
        return;
      }
      if (rule.path !== undefined && !path.startsWith(rule.path)) return;
      const n = (this.pathCounts.get(r) ?? 0) + 1;
      this.pathCounts.set(r, n);
      const first = rule.nth ?? 1;
      if (n >= first && n < first + (rule.count ?? 1) && hit === undefined) hit = rule.fault;
    });
    if (hit !== undefined) return hit;
    const rate = this.options.rate ?? 0;
    if (rate > 0 && this.rng.chance(rate)) {
      return this.rng.pick(this.options.kinds ?? FAULT_KINDS.filter((k) => k !== 'hang'));
    }
    return undefined;
  }
}
