import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ConfigError } from '../core/errors.js';
import { type ConfigFile, ConfigFileSchema, validate } from './file-schema.js';

/**
 * Reads and validates a config file: `.json`, or `.yaml`/`.yml`. The first problem is thrown as a
 * ConfigError whose setting is the key path, e.g. `streams[1].query`.
 */
export async function loadConfigFile(path: string): Promise<ConfigFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ConfigError(`invalid --config: cannot read ${path} (${code})`, '--config', { cause });
  }
  return parseConfigText(text, path);
}

/** Parses and validates the text of a config file; `path` picks the format and names the file in errors. */
export function parseConfigText(text: string, path: string): ConfigFile {
  const ext = extname(path).toLowerCase();
  let raw: unknown;
  try {
    if (ext === '.json') raw = JSON.parse(text);
    else if (ext === '.yaml' || ext === '.yml') raw = parseYaml(text);
    else throw new ConfigError(`invalid --config: ${path} must end in .json, .yaml or .yml`, '--config');
  } catch (cause) {
    if (cause instanceof ConfigError) throw cause;
    const why = cause instanceof Error ? cause.message.split('\n')[0] : 'syntax error';
    throw new ConfigError(
      `invalid --config: ${path} is not valid ${ext.slice(1).toUpperCase()}: ${why}`,
      '--config',
      {
        cause,
      },
    );
  }
  const result = validate(ConfigFileSchema, raw ?? {});
  if (result.ok) return result.value;
  throw new ConfigError(`invalid config file ${path}: ${result.key}: ${result.message}`, result.key);
}
