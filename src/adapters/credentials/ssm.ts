/**
 * SSM Parameter Store through Powertools Parameters: the bearer token from a SecureString (decrypted
 * by SSM with the parameter's KMS key), and the streams list from a String parameter. Values are
 * cached in the provider for `maxAgeSeconds`, so warm invocations of one container skip SSM; the
 * SDK retries throttling and 5xx. Errors are translated into AwsServiceError, whose message names
 * the parameter and the SDK error only (a value never appears).
 */
import { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import { SSMClient } from '@aws-sdk/client-ssm';
import { toAwsServiceError } from '../aws/errors.js';
import type { BearerTokenSource } from './bearer-token.js';

/** SSM actions the poller sends (plus kms:Decrypt through SSM for the SecureString). */
export const SSM_ACTIONS = ['GetParameter'] as const;

export interface SsmParametersOptions {
  /** @default a new SSMClient from the SDK's standard environment (AWS_ENDPOINT_URL_SSM honoured), `maxAttempts` 5 */
  readonly client?: SSMClient;
  /** Seconds a fetched value is reused. @default 300 */
  readonly maxAgeSeconds?: number;
}

/** Reads parameters with caching; one instance per container. */
export class SsmParameters {
  readonly #provider: SSMProvider;
  readonly #maxAge: number;
  readonly #stale = new Set<string>();

  constructor(options: SsmParametersOptions = {}) {
    this.#provider = new SSMProvider({ awsSdkV3Client: options.client ?? new SSMClient({ maxAttempts: 5 }) });
    this.#maxAge = options.maxAgeSeconds ?? 300;
  }

  /** The value of `name`, decrypted when `decrypt`. Throws AwsServiceError when SSM fails or the parameter is missing. */
  async get(name: string, decrypt: boolean): Promise<string> {
    const forceFetch = this.#stale.delete(name);
    let value: string | undefined;
    try {
      value = await this.#provider.get(name, { decrypt, maxAge: this.#maxAge, forceFetch });
    } catch (error) {
      throw toAwsServiceError('SSM', `GetParameter ${name}`, (error as { cause?: unknown }).cause ?? error);
    }
    if (typeof value !== 'string' || value === '') {
      throw toAwsServiceError('SSM', `GetParameter ${name}`, new Error('parameter has no value'));
    }
    return value;
  }

  /** Makes the next `get(name)` bypass the cache. */
  invalidate(name: string): void {
    this.#stale.add(name);
  }
}

/** The bearer token from a SecureString parameter. */
export class SsmBearerTokenSource implements BearerTokenSource {
  constructor(
    readonly parameterName: string,
    readonly parameters: SsmParameters,
  ) {}

  token(): Promise<string> {
    return this.parameters.get(this.parameterName, true);
  }

  invalidate(): void {
    this.parameters.invalidate(this.parameterName);
  }

  toJSON(): Record<string, unknown> {
    return { kind: 'ssm', parameter: this.parameterName };
  }
}
