/**
 * Injected faults: which request gets which fault (scripted or random). Imports world/ only.
 */
export {
  FAULT_KINDS,
  type FaultKind,
  type FaultOptions,
  FaultPlan,
  type ScriptedFault,
} from './fault-plan.js';
