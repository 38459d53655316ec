/**
 * A loopback stand-in for the Lambda Invoke REST API (POST /2015-03-31/functions/{name}/invocations)
 * driven by the real @aws-sdk/client-lambda. It accepts `Event` invocations with 202, enforces the
 * async payload limit with 413 RequestTooLargeException, and fails on demand with 429
 * TooManyRequestsException, 5xx ServiceException or 404 ResourceNotFoundException, as the real
 * service does. `RequestResponse` invocations get 200, or with the `function-error` fault 200 plus
 * `X-Amz-Function-Error: Unhandled` and the error payload (the parser threw).
 */
import { listen, readBody, sendJson } from './http-util.js';

export type LambdaFault = 'throttle' | 'server-error' | 'not-found' | 'function-error';

export interface Invocation {
  readonly functionName: string;
  readonly invocationType: string | undefined;
  readonly payload: unknown;
  readonly bytes: number;
}

export interface FakeLambda {
  readonly url: string;
  /** Accepted (202) invocations, in arrival order. */
  readonly invocations: Invocation[];
  /** Every request received, failed ones included. */
  requests: number;
  /** Delay before answering an accepted invocation (a slow queue), ms. */
  delayMs: number;
  /** Called with each accepted invocation before the 202 is sent. */
  onInvoke: ((invocation: Invocation) => Promise<void> | void) | undefined;
  /** Queues faults: the next requests answer these instead of 202. */
  failNext(...faults: LambdaFault[]): void;
  /** Fails every request from now on (until `recover`). */
  failAlways(fault: LambdaFault): void;
  recover(): void;
  close(): Promise<void>;
}

const PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;

export async function startFakeLambda(options: { maxPayloadBytes?: number } = {}): Promise<FakeLambda> {
  const limit = options.maxPayloadBytes ?? 262_144;
  const invocations: Invocation[] = [];
  const queued: LambdaFault[] = [];
  let always: LambdaFault | undefined;
  const fake = {
    invocations,
    requests: 0,
    delayMs: 0,
    onInvoke: undefined as FakeLambda['onInvoke'],
    failNext: (...faults: LambdaFault[]) => queued.push(...faults),
    failAlways: (fault: LambdaFault) => {
      always = fault;
    },
    recover: () => {
      always = undefined;
      queued.length = 0;
    },
  };
  const server = await listen(async (req, res) => {
    const match = PATH.exec(req.url?.split('?')[0] ?? '');
    const body = await readBody(req);
    fake.requests += 1;
    if (req.method !== 'POST' || match === null) {
      return sendJson(
        res,
        404,
        { message: 'not found' },
        { 'x-amzn-errortype': 'ResourceNotFoundException' },
      );
    }
    const fault = queued.shift() ?? always;
    if (fault === 'throttle') {
      return sendJson(
        res,
        429,
        { Reason: 'ConcurrentInvocationLimitExceeded', Type: 'User', message: 'Rate Exceeded.' },
        { 'x-amzn-errortype': 'TooManyRequestsException' },
      );
    }
    if (fault === 'not-found') {
      return sendJson(
        res,
        404,
        { Type: 'User', message: `Function not found: ${match[1]}` },
        { 'x-amzn-errortype': 'ResourceNotFoundException' },
      );
    }
    if (fault === 'function-error') {
      // The parser ran and threw: RequestResponse answers 200 with X-Amz-Function-Error.
      res.writeHead(200, { 'content-type': 'application/json', 'x-amz-function-error': 'Unhandled' });
      res.end(JSON.stringify({ errorType: 'Error', errorMessage: 'parser crashed' }));
      return;
    }
    if (fault === 'server-error') {
      return sendJson(res, 500, { message: 'internal' }, { 'x-amzn-errortype': 'ServiceException' });
    }
    if (body.length > limit) {
      return sendJson(
        res,
        413,
        {
          Type: 'User',
          message: `${body.length} byte payload is too large for the Event invocation type (limit ${limit} bytes)`,
        },
        { 'x-amzn-errortype': 'RequestTooLargeException' },
      );
    }
    const invocationType = req.headers['x-amz-invocation-type'] as string | undefined;
    const invocation = {
      functionName: decodeURIComponent(match[1]!),
      invocationType,
      payload: JSON.parse(body.toString('utf8')),
      bytes: body.length,
    };
    if (fake.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, fake.delayMs));
    await fake.onInvoke?.(invocation);
    invocations.push(invocation);
    res.writeHead(invocationType === 'Event' ? 202 : 200, { 'content-length': 0 });
    res.end();
  });
  return Object.assign(fake, { url: server.url, close: server.close });
}
