/**
 * Issue 12: the spend settings of `poll`, from flags or the config file (flags win):
 * `--max-spend-day` / `max_spend_usd_per_day`, `--max-spend-month` / `max_spend_usd_per_month`,
 * `--price-per-post` / `price_per_post_usd`. A bad value is a ConfigError naming the setting (exit 2).
 */
import type { SpendOptions } from '../core/spend.js';
import { DEFAULTS } from './defaults.js';
import type { ConfigFile } from './file-schema.js';
import { checkUsd, required } from './values.js';

/** The flags this module reads. */
export interface SpendFlags {
  readonly 'max-spend-day'?: string | undefined;
  readonly 'max-spend-month'?: string | undefined;
  readonly 'price-per-post'?: string | undefined;
}

/** Validated spend options; budgets absent when neither a flag nor the file sets them. */
export function parseSpendOptions(flags: SpendFlags, file: ConfigFile | undefined): SpendOptions {
  const usd = (flag: keyof SpendFlags, fileValue: number | undefined, min: 'zero' | 'positive') => {
    const raw = flags[flag];
    return raw === undefined ? fileValue : required(checkUsd(raw, min), `--${flag}`);
  };
  const day = usd('max-spend-day', file?.max_spend_usd_per_day, 'zero');
  const month = usd('max-spend-month', file?.max_spend_usd_per_month, 'zero');
  return {
    pricePerPostUsd: usd('price-per-post', file?.price_per_post_usd, 'positive') ?? DEFAULTS.pricePerPostUsd,
    ...(day === undefined ? {} : { maxSpendUsdPerDay: day }),
    ...(month === undefined ? {} : { maxSpendUsdPerMonth: month }),
  };
}
