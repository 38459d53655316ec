/**
 * Settings for taking over from the poller this project replaces: the checkpoint table's key and
 * legacy since_id attributes, and the payload shape and Invoke type its parser expects. One
 * definition of each check; the CLI, the config file and the Lambda environment call them.
 */
import { type CheckpointLayout, checkLayout } from '../adapters/aws/checkpoint-layout.js';
import {
  INVOCATION_TYPES,
  type InvocationType,
  PAYLOAD_FORMATS,
  type PayloadFormat,
} from '../adapters/sinks/payload-format.js';
import { DEFAULTS } from './defaults.js';
import type { Check } from './values.js';

export type { CheckpointLayout, InvocationType, PayloadFormat };

/** `envelope`, `tweets` or `array` (adapters/sinks/payload-format.ts). */
export function checkPayloadFormat(raw: unknown): Check<PayloadFormat> {
  return PAYLOAD_FORMATS.includes(raw as PayloadFormat)
    ? { ok: true, value: raw as PayloadFormat }
    : { ok: false, reason: `must be one of ${PAYLOAD_FORMATS.join(', ')}, got "${String(raw)}"` };
}

/** `Event` or `RequestResponse`. */
export function checkInvocationType(raw: unknown): Check<InvocationType> {
  return INVOCATION_TYPES.includes(raw as InvocationType)
    ? { ok: true, value: raw as InvocationType }
    : { ok: false, reason: `must be one of ${INVOCATION_TYPES.join(', ')}, got "${String(raw)}"` };
}

/** A DynamoDB attribute name. */
export function checkAttributeName(raw: unknown): Check<string> {
  return typeof raw === 'string' && /^[^\s]{1,255}$/.test(raw.trim())
    ? { ok: true, value: raw.trim() }
    : { ok: false, reason: 'must be an attribute name of 1 to 255 characters without spaces' };
}

/**
 * The table layout from two (already checked) names; `settings` names them for the error when they
 * clash with each other or with an attribute this poller writes.
 */
export function buildLayout(
  keyAttribute: string | undefined,
  legacySinceIdAttribute: string | undefined,
  settings: { readonly key: string; readonly legacy: string },
): CheckpointLayout {
  return checkLayout(
    {
      keyAttribute: keyAttribute ?? DEFAULTS.dynamodbKey,
      legacySinceIdAttribute: legacySinceIdAttribute ?? DEFAULTS.legacySinceIdAttribute,
    },
    settings,
  );
}
