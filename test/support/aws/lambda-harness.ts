/** Runs the Lambda handler in-process: environment set before a fresh import, and a fake context. */
import { vi } from 'vitest';
import type { LambdaContext } from '../../../src/adapters/observability/lambda-context.js';
import type { RunSummary } from '../../../src/core/run-types.js';

export type Handler = (event: unknown, context: LambdaContext) => Promise<RunSummary>;

let invocations = 0;

/** A Lambda context whose remaining time is fixed at `remainingMs` (or computed by it). */
export function fakeContext(remainingMs: number | (() => number)): LambdaContext {
  invocations += 1;
  return {
    functionName: 'twitter-poller',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:twitter-poller',
    memoryLimitInMB: '512',
    awsRequestId: `req-${process.pid}-${invocations}`,
    logGroupName: '/aws/lambda/twitter-poller',
    logStreamName: '2026/11/28/[$LATEST]test',
    getRemainingTimeInMillis: typeof remainingMs === 'function' ? remainingMs : () => remainingMs,
  };
}

/** The standard AWS settings of a loopback test: dummy credentials, a region, no instance metadata. */
export function awsTestEnv(endpoints: { dynamodb?: string; lambda?: string; sqs?: string; ssm?: string }) {
  return {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIDTEST',
    AWS_SECRET_ACCESS_KEY: 'secret-test',
    AWS_EC2_METADATA_DISABLED: 'true',
    ...(endpoints.dynamodb === undefined ? {} : { AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb }),
    ...(endpoints.lambda === undefined ? {} : { AWS_ENDPOINT_URL_LAMBDA: endpoints.lambda }),
    ...(endpoints.sqs === undefined ? {} : { AWS_ENDPOINT_URL_SQS: endpoints.sqs }),
    ...(endpoints.ssm === undefined ? {} : { AWS_ENDPOINT_URL_SSM: endpoints.ssm }),
  };
}

const touched = new Map<string, string | undefined>();

/** Sets `env` on process.env (remembering what was there), then imports a fresh copy of the handler module (a new "container"). */
export async function loadHandler(env: Record<string, string>): Promise<Handler> {
  for (const [key, value] of Object.entries(env)) {
    if (!touched.has(key)) touched.set(key, process.env[key]);
    process.env[key] = value;
  }
  vi.resetModules();
  const module = await import('../../../src/entrypoints/lambda.js');
  return module.handler;
}

/** Puts back every variable loadHandler changed. */
export function restoreEnv(): void {
  for (const [key, value] of touched) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  touched.clear();
}
