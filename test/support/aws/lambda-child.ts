/**
 * The Lambda handler as deployed: src/entrypoints/lambda.ts bundled by scripts/lambda-bundle.mjs
 * (the build of build/lambda/lambda.mjs), loaded and invoked once in a child process (one cold container per call), its
 * output and exit code returned for the test to read. Powertools writes INFO lines and EMF to stdout
 * and WARN/ERROR lines to stderr (console.warn/error); Lambda sends both to CloudWatch Logs.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { buildLambda } from '../../../scripts/lambda-bundle.mjs';

const RUNNER = `
const { handler } = await import(process.env.BUNDLE);
const context = {
  functionName: 'twitter-poller', functionVersion: '$LATEST', memoryLimitInMB: '512',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:twitter-poller',
  awsRequestId: process.env.REQUEST_ID, logGroupName: '/aws/lambda/twitter-poller', logStreamName: 's',
  getRemainingTimeInMillis: () => 900000,
};
try {
  const summary = await handler({}, context);
  process.stdout.write('SUMMARY ' + JSON.stringify(summary) + '\\n');
} catch (error) {
  process.stdout.write('FAILED ' + error.name + ': ' + error.message + '\\n');
  process.exitCode = 1;
}`;

/** Bundles the handler into `dir`/lambda.mjs with scripts/lambda-bundle.mjs (what ships); returns its path. */
export async function buildLambdaBundle(dir: string): Promise<string> {
  await buildLambda(dir);
  return join(dir, 'lambda.mjs');
}

export interface ChildInvocation {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** Every JSON line of stdout, then of stderr (Powertools log lines and EMF documents). */
  readonly lines: Record<string, unknown>[];
  /** The handler's result, when it returned one. */
  readonly summary: Record<string, unknown> | undefined;
}

let requests = 0;

/** Invokes the bundle once in a fresh Node process with exactly `env` (plus PATH and BUNDLE). */
export function invokeChild(bundle: string, env: Record<string, string>): Promise<ChildInvocation> {
  const requestId = `req-child-${process.pid}-${++requests}`;
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--input-type=module', '-e', RUNNER],
      {
        env: { PATH: process.env.PATH ?? '', BUNDLE: bundle, REQUEST_ID: requestId, ...env },
        timeout: 120_000,
      },
      (error, stdout, stderr) => {
        const lines = `${stdout}\n${stderr}`
          .split('\n')
          .filter((l) => l.startsWith('{'))
          .map((l) => JSON.parse(l) as Record<string, unknown>);
        const summaryLine = stdout.split('\n').find((l) => l.startsWith('SUMMARY '));
        resolve({
          code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1,
          stdout,
          stderr,
          lines,
          summary: summaryLine === undefined ? undefined : JSON.parse(summaryLine.slice(8)),
        });
      },
    );
  });
}
