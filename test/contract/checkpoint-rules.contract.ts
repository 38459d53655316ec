/**
 * One test per rule of core's checkpoint check (src/core/checkpoint.ts, docs/architecture.md
 * "Checkpoint stores"), run against every store: the damaged checkpoint is written through the
 * store's raw storage (a SQL INSERT, a DynamoDB PutItem, the memory store's putRaw), and every store
 * must refuse it on load and on list with the same CorruptCheckpointError, naming the stream and
 * the rule.
 */
import { describe, expect, it } from 'vitest';
import { CorruptCheckpointError } from '../../src/core/errors.js';
import {
  CHECKPOINT_SCHEMA_VERSION,
  type Checkpoint,
  type CheckpointStore,
} from '../../src/core/ports/checkpoint-store.js';

/** A value as raw storage holds it: text, a number, bytes (a BLOB, a B attribute), or a list of ids. */
export type RawValue = string | number | Uint8Array | readonly string[];

/**
 * A checkpoint in flat, storage-neutral fields (the SQLite column names; `since_id` is DynamoDB's
 * `frontier_since_id`). A field left out is absent from storage.
 */
export type RawCheckpoint = Partial<
  Record<
    | 'schema_version'
    | 'since_id'
    | 'sweep_newest_id'
    | 'sweep_until_id'
    | 'sweep_next_token'
    | 'user_id'
    | 'recent_ids'
    | 'fair_lag'
    | 'updated_at'
    | 'writer',
    RawValue
  >
>;

/** What a store factory hands the rule suite. */
export interface RawStoreFixture {
  readonly store: CheckpointStore;
  /** Writes `fields` as the stream's stored checkpoint, bypassing the store's checks. */
  writeRaw(stream: string, fields: RawCheckpoint): Promise<void>;
  /** Writes the legacy item, a bare since_id string (stores that have one). */
  writeLegacy?(stream: string, sinceId: string): Promise<void>;
  cleanup(): Promise<void>;
}

/** What a store's raw storage cannot express, so the rules that need it do not apply there. */
export interface RawLimits {
  /** Fields the store does not keep at all (DynamoDB: recent_ids). */
  readonly notKept?: readonly (keyof RawCheckpoint)[];
  /** Fields its storage cannot leave out (SQLite's NOT NULL columns). */
  readonly alwaysPresent?: readonly (keyof RawCheckpoint)[];
  /** Whether the store has a legacy item (a bare since_id) to migrate. */
  readonly legacy?: boolean;
}

const VALID: RawCheckpoint = {
  schema_version: CHECKPOINT_SCHEMA_VERSION,
  since_id: '100',
  updated_at: '2027-01-15T08:00:00.000Z',
  writer: 'exec-a',
};
const SWEEP: RawCheckpoint = { ...VALID, sweep_newest_id: '300', sweep_until_id: '200' };
const BYTES = new Uint8Array([0x74, 0x6f, 0x6b]);

function without(fields: RawCheckpoint, name: keyof RawCheckpoint): RawCheckpoint {
  const copy = { ...fields };
  delete copy[name];
  return copy;
}

/** A rule: what it is, the damaged shape, the field the storage must hold (or leave out), the message. */
interface Rule {
  readonly rule: string;
  readonly raw: RawCheckpoint;
  readonly field: keyof RawCheckpoint;
  readonly omits?: boolean;
  readonly message: RegExp;
}

/** `base` with one field damaged (`undefined`: left out); the message is core's text for the rule. */
function damaged(
  base: RawCheckpoint,
  field: keyof RawCheckpoint,
  value: RawValue | undefined,
  message: string,
): Rule {
  const raw = value === undefined ? without(base, field) : { ...base, [field]: value };
  const shown =
    value === undefined ? 'left out' : value instanceof Uint8Array ? 'bytes' : JSON.stringify(value);
  return {
    rule: `${field} ${shown} (${message})`,
    raw,
    field,
    omits: value === undefined,
    message: new RegExp(`is corrupt: ${message.replaceAll('.', '\\.')}$`),
  };
}

/** One or more shapes per rule of core's check (numbered as in src/core/checkpoint.ts). */
const RULES: readonly Rule[] = [
  damaged(VALID, 'schema_version', undefined, 'schema_version is missing'), // 2
  damaged(VALID, 'schema_version', 3, 'unknown schema_version 3'),
  damaged(VALID, 'since_id', '12a', 'since_id is not a valid id'), // 4
  damaged(VALID, 'since_id', '0', 'since_id is not a valid id'),
  damaged(VALID, 'since_id', '9223372036854775808', 'since_id is not a valid id'),
  damaged(VALID, 'sweep_until_id', '200', 'sweep.newest_id is not a valid id'), // 5: sweep fields without it
  damaged(VALID, 'sweep_newest_id', '50', 'sweep.newest_id is below since_id'), // 6
  damaged(SWEEP, 'sweep_until_id', 'x', 'sweep.until_id is not a valid id'), // 7
  damaged(SWEEP, 'sweep_until_id', '100', 'sweep.until_id is not above since_id'),
  damaged(SWEEP, 'sweep_until_id', '301', 'sweep.until_id is above sweep.newest_id'),
  damaged(SWEEP, 'sweep_next_token', BYTES, 'sweep.next_token is not a string'), // 8
  damaged(VALID, 'user_id', 'bob', 'user_id is not a valid id'), // 9
  damaged(VALID, 'recent_ids', ['99', 'x'], 'recent_ids is not a list of ids'), // 10
  damaged(VALID, 'fair_lag', 'abc', 'fair_lag is not a finite number'), // 11
  damaged(VALID, 'updated_at', undefined, 'updated_at is missing or not a string'), // 12
  damaged(VALID, 'updated_at', BYTES, 'updated_at is missing or not a string'),
  damaged(VALID, 'writer', undefined, 'writer is missing or not a string'),
  damaged(VALID, 'writer', BYTES, 'writer is missing or not a string'),
];

/** The rules of core's checkpoint check, against one store. `makeStore` returns a fresh, empty store. */
export function describeCheckpointRules(
  name: string,
  makeStore: () => Promise<RawStoreFixture>,
  limits: RawLimits = {},
): void {
  /** Runs `test` on a fresh store, disposed of afterwards. */
  const withStore = (test: (fixture: RawStoreFixture) => Promise<void>) => async () => {
    const fixture = await makeStore();
    try {
      await test(fixture);
    } finally {
      await fixture.cleanup();
    }
  };
  describe(`checkpoint rules: ${name}`, () => {
    it(
      'loads a valid raw checkpoint written the same way (the raw writes are sound)',
      withStore(async (fixture) => {
        await fixture.writeRaw('s', { ...SWEEP, sweep_next_token: 'tok', user_id: '7', fair_lag: 2.5 });
        expect(await fixture.store.load('s')).toEqual({
          stream: 's',
          schemaVersion: CHECKPOINT_SCHEMA_VERSION,
          sinceId: '100',
          sweep: { newestId: '300', untilId: '200', nextToken: 'tok' },
          userId: '7',
          fairLag: 2.5,
          updatedAt: VALID.updated_at,
          writer: VALID.writer,
        });
      }),
    );

    const applicable = RULES.filter(
      (r) =>
        !limits.notKept?.includes(r.field) && !(r.omits === true && limits.alwaysPresent?.includes(r.field)),
    );
    it.each(applicable)('refuses $rule on load and on list', ({ raw, message }) =>
      withStore(async (fixture) => {
        const stream = 'search:damaged';
        await fixture.writeRaw(stream, raw);
        for (const read of [() => fixture.store.load(stream), () => fixture.store.list()]) {
          const error = await read().catch((e: unknown) => e);
          expect(error).toBeInstanceOf(CorruptCheckpointError);
          expect((error as CorruptCheckpointError).stream).toBe(stream);
          expect((error as Error).message).toMatch(message);
          expect((error as Error).message).toContain(`checkpoint of stream "${stream}" is corrupt`);
        }
      })(),
    );

    it(
      'refuses to save a checkpoint that breaks a rule, and writes nothing',
      withStore(async (fixture) => {
        const lease = await fixture.store.acquireLease('s', 'exec-a', 60_000, 1_800_000_000_000);
        const bad: Checkpoint = {
          stream: 's',
          schemaVersion: CHECKPOINT_SCHEMA_VERSION,
          sinceId: '100',
          sweep: { newestId: '300', untilId: '100', nextToken: null },
          updatedAt: VALID.updated_at as string,
          writer: 'exec-a',
        };
        await expect(fixture.store.save(bad, lease!)).rejects.toThrow(
          /sweep\.until_id is not above since_id/,
        );
        expect(await fixture.store.load('s')).toBeNull();
      }),
    );

    if (limits.legacy === true) {
      it(
        'migrates the legacy item, a bare since_id, with no sweep',
        withStore(async (fixture) => {
          await fixture.writeLegacy!('s', '4242');
          expect(await fixture.store.load('s')).toMatchObject({
            stream: 's',
            sinceId: '4242',
            sweep: null,
            writer: 'legacy-migration',
          });
        }),
      );

      it(
        'refuses a legacy item that is not an id',
        withStore(async (fixture) => {
          await fixture.writeLegacy!('s', 'abc');
          const error = await fixture.store.load('s').catch((e: unknown) => e);
          expect(error).toBeInstanceOf(CorruptCheckpointError);
          expect((error as Error).message).toMatch(/legacy since_id is not a valid id/);
        }),
      );
    }
  });
}
