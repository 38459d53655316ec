/**
 * Where the default SQLite store lives: a per-user state directory, whatever the working directory,
 * so a cron job started elsewhere finds the same checkpoints.
 *
 *   $XDG_STATE_HOME/twitter-poller/state.db   (XDG_STATE_HOME set to an absolute path)
 *   ~/.local/state/twitter-poller/state.db    (otherwise)
 *   ./.twitter-poller/state.db                (the old default: still used when that file exists)
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import type { StoreLocation } from './types.js';

type Env = Readonly<Record<string, string | undefined>>;

/** The default store before per-user state directories, relative to the working directory. */
export const LEGACY_DEFAULT_STORE_PATH = join('.twitter-poller', 'state.db');

/** `$XDG_STATE_HOME/twitter-poller/state.db`, else `$HOME/.local/state/twitter-poller/state.db`. */
export function defaultStorePath(env: Env): string {
  const xdg = env.XDG_STATE_HOME?.trim();
  // The XDG spec says a relative value is invalid and must be ignored.
  const base =
    xdg !== undefined && xdg !== '' && isAbsolute(xdg)
      ? xdg
      : join(env.HOME?.trim() || homedir(), '.local', 'state');
  return join(base, 'twitter-poller', 'state.db');
}

/** The store used when neither `--store` nor a config file names one. */
export function defaultStore(env: Env, exists: (path: string) => boolean = existsSync): StoreLocation {
  if (exists(LEGACY_DEFAULT_STORE_PATH)) {
    return { kind: 'sqlite', path: LEGACY_DEFAULT_STORE_PATH, origin: 'legacy-default' };
  }
  return { kind: 'sqlite', path: defaultStorePath(env), origin: 'default' };
}
