import { ConfigError } from '../core/errors.js';
import type { SinkLocation, StoreLocation } from './types.js';

function split(value: string): [scheme: string, target: string] {
  const colon = value.indexOf(':');
  return colon < 0 ? [value, ''] : [value.slice(0, colon), value.slice(colon + 1)];
}

/** Parses `sqlite:<path>`, `memory:` or `dynamodb:<table>`. `setting` names the flag or key in errors. */
export function parseStoreLocation(value: string, setting = '--store'): StoreLocation {
  const [scheme, target] = split(value);
  const bad = (why: string): ConfigError => new ConfigError(`invalid ${setting}: ${why}`, setting);
  switch (scheme) {
    case 'sqlite':
      if (target === '') throw bad('sqlite needs a file path (sqlite:<path>)');
      return { kind: 'sqlite', path: target };
    case 'memory':
      if (target !== '') throw bad('memory takes no target (memory:)');
      return { kind: 'memory' };
    case 'dynamodb':
      if (!/^[A-Za-z0-9_.-]{3,255}$/.test(target))
        throw bad('dynamodb needs a table name (dynamodb:<table>)');
      return { kind: 'dynamodb', table: target };
    default:
      throw bad(`unknown store "${value}" (expected sqlite:<path>, memory: or dynamodb:<table>)`);
  }
}

/** Parses `jsonl:<path>`, `jsonl:-` (stdout), `lambda:<function>` or `sqs:<queue-url>`. */
export function parseSinkLocation(value: string, setting = '--sink'): SinkLocation {
  const [scheme, target] = split(value);
  const bad = (why: string): ConfigError => new ConfigError(`invalid ${setting}: ${why}`, setting);
  switch (scheme) {
    case 'jsonl':
      if (target === '') throw bad('jsonl needs a file path or - for stdout (jsonl:<path>)');
      return target === '-' ? { kind: 'stdout' } : { kind: 'jsonl', path: target };
    case 'lambda':
      if (target === '') throw bad('lambda needs a function name or ARN (lambda:<function>)');
      return { kind: 'lambda', functionName: target };
    case 'sqs': {
      if (!URL.canParse(target) || !/^https?:$/.test(new URL(target).protocol)) {
        throw bad('sqs needs a queue URL (sqs:https://sqs.<region>.amazonaws.com/<account>/<queue>)');
      }
      return { kind: 'sqs', queueUrl: target };
    }
    default:
      throw bad(`unknown sink "${value}" (expected jsonl:<path>, jsonl:-, lambda:<function> or sqs:<url>)`);
  }
}
