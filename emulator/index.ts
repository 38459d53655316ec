/**
 * X API v2 emulator: a deterministic, fault-injecting stand-in for the endpoints a poller uses.
 * It never imports src/, so the client and the emulator cannot share a bug.
 */
import { EmulatorController } from './controller.js';
import type { FaultOptions } from './faults.js';
import type {
  EmulatorOptions,
  GroundTruthRequest,
  LimitsUpdate,
  PublishedPost,
  PublishRequest,
  RequestLogEntry,
} from './options.js';
import { listen } from './server.js';

export { GroundTruthError } from './controller.js';
export { DEFAULT_RATE_LIMITS, ENDPOINT, type EndpointKey } from './endpoints.js';
export { FAULT_KINDS, type FaultKind, type FaultOptions, type ScriptedFault } from './faults.js';
export * from './options.js';
export { idFromMs, msFromId, TWEPOCH_MS } from './snowflake.js';

/** A listening emulator and its programmatic admin handle. */
export interface RunningEmulator {
  /** Base URL, e.g. `http://127.0.0.1:43123` (API under `/2/`, admin under `/_emulator/`). */
  readonly url: string;
  readonly port: number;
  /** Stops the publisher, drops hanging requests and closes the server. */
  close(): Promise<void>;
  publish(request: PublishRequest): PublishedPost[];
  groundTruth(request: GroundTruthRequest): string[];
  setFaults(options: FaultOptions): void;
  setLimits(update: LimitsUpdate): void;
  /** Sets the pay-per-use credit balance in posts (`balance`, null = unlimited) or adds to it. */
  setCredits(update: { readonly balance?: number | null; readonly add?: number }): void;
  /** The credit balance in posts (undefined = unlimited). */
  credits(): number | undefined;
  /** Current emulated time, epoch ms. */
  now(): number;
  setClock(ms: number): number;
  advanceClock(ms: number): number;
  /** See {@link EmulatorController.reset}. */
  reset(world?: { seed?: number; posts?: number }): void;
  requestLog(): readonly RequestLogEntry[];
  statusCounts(): Record<number, number>;
  /** Users of the world (id, username, post and mention counts). */
  users(): { id: string; username: string; posts: number; mentions: number }[];
}

/** Generates the world and starts an emulator on loopback (port 0 = any free port by default). */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  return listen(new EmulatorController(options), options);
}
