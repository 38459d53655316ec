/**
 * X API v2 emulator: a deterministic, fault-injecting stand-in for the endpoints a poller uses.
 * It never imports src/, so the client and the emulator cannot share a bug.
 */
import { EmulatorController } from './admin/index.js';
import { listen } from './http/index.js';
import type { EmulatorOptions, RunningEmulator } from './options.js';

export { GroundTruthError } from './admin/index.js';
export { DEFAULT_RATE_LIMITS, ENDPOINT, type EndpointKey } from './api/index.js';
export { FAULT_KINDS, type FaultKind, type FaultOptions, type ScriptedFault } from './faults/index.js';
export * from './options.js';
export { idFromMs, msFromId, TWEPOCH_MS } from './world/index.js';

/** Generates the world and starts an emulator on loopback (port 0 = any free port by default). */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  return listen(new EmulatorController(options), options);
}
