/**
 * What the API counts and refuses past a limit: per-app rate-limit windows, the monthly usage cap
 * and the pay-per-use credit balance. Imports api/ only.
 */
export { Billing } from './credits.js';
export { RateLimiter, type RateLimitState } from './rate-limiter.js';
export { UsageMeter } from './usage-meter.js';
