import { PollerError } from '../../core/errors.js';

/**
 * An AWS call failed after the SDK's own retries (throttling, 5xx, network) or for a reason retries
 * cannot cure (access denied, missing table). Carries the service and operation, never the request.
 */
export class AwsServiceError extends PollerError {
  override readonly name = 'AwsServiceError';
  override readonly code = 'aws_service';
  constructor(
    message: string,
    readonly service: string,
    readonly operation: string,
    /** The SDK error's name, e.g. `ProvisionedThroughputExceededException`. */
    readonly errorName: string,
    readonly retryable: boolean,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
  override toJSON(): Record<string, unknown> {
    return {
      ...super.toJSON(),
      service: this.service,
      operation: this.operation,
      error_name: this.errorName,
      retryable: this.retryable,
    };
  }
}

/** The SDK error name of `error`, when it looks like one. */
export function awsErrorName(error: unknown): string {
  return error instanceof Error ? error.name : 'UnknownError';
}

const RETRYABLE_NAMES = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'InternalServerError',
  'ServiceUnavailable',
  'ServiceException',
  'TimeoutError',
]);

/** True when trying the same call again later may succeed (throttling, 5xx, network). */
export function isRetryableAwsError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (RETRYABLE_NAMES.has(error.name)) return true;
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  if (status !== undefined) return status === 429 || status >= 500;
  const code = (error as { code?: string }).code;
  return code === 'ECONNRESET' || code === 'ECONNREFUSED' || code === 'ETIMEDOUT' || code === 'EPIPE';
}

/** Wraps an SDK error into an AwsServiceError; the message names the operation, not the payload. */
export function toAwsServiceError(service: string, operation: string, error: unknown): AwsServiceError {
  const name = awsErrorName(error);
  const detail = error instanceof Error ? error.message : String(error);
  return new AwsServiceError(
    `${service} ${operation} failed: ${name}: ${detail}`,
    service,
    operation,
    name,
    isRetryableAwsError(error),
    { cause: error },
  );
}
