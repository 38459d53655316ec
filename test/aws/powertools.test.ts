import { Logger as PtLogger } from '@aws-lambda-powertools/logger';
import { describe, expect, it } from 'vitest';
import { PowertoolsLogger } from '../../src/adapters/observability/powertools-logger.js';
import { METRICS_NAMESPACE, PowertoolsMetrics } from '../../src/adapters/observability/powertools-metrics.js';
import { MetricName } from '../../src/core/ports/observability.js';
import { captureOutput } from '../support/aws/capture-output.js';
import { fakeContext } from '../support/aws/lambda-harness.js';

const jsonLines = (output: string) =>
  output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe('PowertoolsMetrics', () => {
  it('emits one EMF line in namespace TwitterPoller with every metric of the port', async () => {
    const metrics = new PowertoolsMetrics();
    const { output } = await captureOutput(async () => {
      for (const name of Object.values(MetricName)) {
        metrics.add(
          name,
          2,
          name === MetricName.executionDurationSeconds || name === MetricName.gapSeconds
            ? 'Seconds'
            : 'Count',
        );
      }
      metrics.flush();
    });
    const emf = jsonLines(output).filter((l) => '_aws' in l);
    expect(emf).toHaveLength(1);
    const directive = (
      emf[0]!._aws as {
        CloudWatchMetrics: {
          Namespace: string;
          Dimensions: string[][];
          Metrics: { Name: string; Unit: string }[];
        }[];
      }
    ).CloudWatchMetrics[0]!;
    expect(directive.Namespace).toBe(METRICS_NAMESPACE);
    expect(directive.Dimensions).toEqual([['service']]);
    expect(directive.Metrics.map((m) => m.Name).sort()).toEqual(
      [
        'ApiRequests',
        'BatchesDelivered',
        'DeadLetteredPosts',
        'ErrorsEncountered',
        'ExecutionDurationSeconds',
        'FreshnessLagSeconds',
        'GapSeconds',
        'RateLimitWaits',
        'TweetsProcessed',
        'UsageCapped',
      ].sort(),
    );
    expect(directive.Metrics.find((m) => m.Name === 'GapSeconds')?.Unit).toBe('Seconds');
    expect(emf[0]).toMatchObject({ service: 'twitter-poller', TweetsProcessed: 2, UsageCapped: 2 });
  });

  it('prints nothing when nothing was added since the last flush', async () => {
    const metrics = new PowertoolsMetrics();
    const { output } = await captureOutput(async () => metrics.flush());
    expect(output).toBe('');
  });
});

describe('PowertoolsLogger', () => {
  const make = () =>
    new PowertoolsLogger({ logger: new PtLogger({ serviceName: 'twitter-poller', logLevel: 'DEBUG' }) });

  it('writes the event as message and event, with snake_case fields, Lambda context and child fields', async () => {
    const logger = make();
    logger.addContext(fakeContext(1000));
    const { output } = await captureOutput(async () => {
      logger
        .child({ correlation_id: 'corr-9' })
        .child({ stream: 'news' })
        .log('info', 'checkpoint_update', { since_id: '1578516068309794817' });
    });
    const [line] = jsonLines(output);
    expect(line).toMatchObject({
      level: 'INFO',
      message: 'checkpoint_update',
      event: 'checkpoint_update',
      service: 'twitter-poller',
      correlation_id: 'corr-9',
      stream: 'news',
      since_id: '1578516068309794817',
      function_name: 'twitter-poller',
    });
    expect(line?.function_request_id).toMatch(/^req-/);
  });

  it('redacts a secret that slipped into a field or an error, and serialises errors by toJSON', async () => {
    const secret = 'AAAA-secret-token-123456';
    const logger = make().withSecrets([secret]);
    const { output } = await captureOutput(async () => {
      logger.log('error', 'error', { error: new Error(`upstream said ${secret}`), note: `x${secret}y` });
    });
    expect(output).not.toContain(secret);
    expect(jsonLines(output)[0]).toMatchObject({ level: 'ERROR', note: 'x[REDACTED]y' });
  });
});
