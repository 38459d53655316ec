/**
 * The control side: EmulatorController owns the live state (world, clock, limits, faults, caches)
 * that the HTTP handlers read, and publishes, answers ground truth, changes limits and faults, resets;
 * the live publisher. No HTTP here. Imports world/, api/, query/, limits/, faults/.
 */
export { EmulatorController, GroundTruthError } from './controller.js';
export { LivePublisher } from './live-publisher.js';
export type { EmulatorState } from './live-state.js';
