import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type CollectionTag, parse, type ScalarTag, YAMLMap, YAMLSeq } from 'yaml';
import { CHECKPOINT_TABLE_KEY } from '../../src/adapters/aws/dynamodb-table.js';
import { SSM_ACTIONS } from '../../src/adapters/credentials/ssm.js';
import { SERVICE_NAME } from '../../src/adapters/observability/powertools-logger.js';
import { METRICS_NAMESPACE } from '../../src/adapters/observability/powertools-metrics.js';
import { LAMBDA_SINK_ACTIONS } from '../../src/adapters/sinks/lambda.js';
import { SQS_SINK_ACTIONS } from '../../src/adapters/sinks/sqs.js';
import { DYNAMODB_RUNTIME_ACTIONS } from '../../src/adapters/stores/dynamodb.js';
import { LAMBDA_ENV_DEPLOYED } from '../../src/config/lambda-env.js';
import { MetricName } from '../../src/core/ports/observability.js';

/** CloudFormation short-form intrinsics as plain `{ Ref }` / `{ 'Fn::X': ... }` objects. */
const scalar = (tag: string, key: string): ScalarTag =>
  ({ tag, resolve: (value: string) => ({ [key]: value }) }) as unknown as ScalarTag;
const seq = (tag: string, key: string): CollectionTag =>
  ({
    tag,
    collection: 'seq',
    nodeClass: YAMLSeq,
    resolve: (value: YAMLSeq) => ({ [key]: value.toJSON() }),
  }) as unknown as CollectionTag;
const map = (tag: string, key: string): CollectionTag =>
  ({
    tag,
    collection: 'map',
    nodeClass: YAMLMap,
    resolve: (value: YAMLMap) => ({ [key]: value.toJSON() }),
  }) as unknown as CollectionTag;
const customTags = [
  scalar('!Ref', 'Ref'),
  scalar('!Sub', 'Fn::Sub'),
  seq('!Sub', 'Fn::Sub'),
  scalar('!GetAtt', 'Fn::GetAtt'),
  seq('!If', 'Fn::If'),
  seq('!Equals', 'Fn::Equals'),
  seq('!Not', 'Fn::Not'),
  seq('!Or', 'Fn::Or'),
  seq('!Join', 'Fn::Join'),
  seq('!Select', 'Fn::Select'),
  map('!FindInMap', 'Fn::FindInMap'),
];

// biome-ignore lint/suspicious/noExplicitAny: parsed CloudFormation is walked freely in assertions.
type Node = Record<string, any>;
const template = parse(readFileSync(new URL('../../infra/template.yaml', import.meta.url), 'utf8'), {
  customTags,
}) as Node;
const resources = template.Resources as Record<string, Node>;
const fn = resources.PollerFunction!.Properties as Node;

/** The function's policy statements with `Fn::If` resolved for one value of the condition. */
function statements(conditions: Record<string, boolean>): Node[] {
  const out: Node[] = [];
  for (const policy of fn.Policies as Node[]) {
    for (const statement of policy.Statement as Node[]) {
      const branch = statement['Fn::If'] as [string, Node, Node] | undefined;
      out.push(branch === undefined ? statement : conditions[branch[0]] ? branch[1] : branch[2]);
    }
  }
  return out;
}
const actions = (conditions: Record<string, boolean>) =>
  statements(conditions)
    .flatMap((s) => s.Action as string[])
    .sort();

describe('infra/template.yaml', () => {
  it('runs the bundled handler on nodejs22.x arm64 with a 15-minute timeout', () => {
    expect(fn).toMatchObject({
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Timeout: 900,
      Handler: 'lambda.handler',
      CodeUri: '../build/lambda',
    });
    // CodeUri is the directory npm run build writes the bundle to, lambda.mjs exporting handler.
    const build = readFileSync(new URL('../../scripts/build.mjs', import.meta.url), 'utf8');
    expect(build).toContain("await buildLambda('build/lambda');");
    const bundle = readFileSync(new URL('../../scripts/lambda-bundle.mjs', import.meta.url), 'utf8');
    expect(bundle).toMatch(
      /entryPoints: \{ lambda: 'src\/entrypoints\/lambda\.ts', fleet: 'src\/entrypoints\/lambda-fleet\.ts' \}/,
    );
    expect(bundle).toContain("outExtension: { '.js': '.mjs' }");
  });

  it('runs the fan-out planner and worker from their own bundle (build/lambda/fleet.mjs)', () => {
    expect(resources.PlannerFunction!.Properties).toMatchObject({
      Handler: 'fleet.planner',
      CodeUri: '../build/lambda',
    });
    expect(resources.WorkerFunction!.Properties).toMatchObject({
      Handler: 'fleet.worker',
      CodeUri: '../build/lambda',
    });
  });

  it('sets exactly the environment variables lambda-env.ts reads (local alternatives excluded)', () => {
    expect(Object.keys(fn.Environment.Variables).sort()).toEqual([...LAMBDA_ENV_DEPLOYED].sort());
  });

  it('exposes the spend budgets and the price as parameters (empty budget = no limit)', () => {
    expect(fn.Environment.Variables).toMatchObject({
      MAX_SPEND_USD_PER_DAY: { Ref: 'MaxSpendUsdPerDay' },
      MAX_SPEND_USD_PER_MONTH: { Ref: 'MaxSpendUsdPerMonth' },
      PRICE_PER_POST_USD: { Ref: 'PricePerPostUsd' },
    });
    expect(template.Parameters.MaxSpendUsdPerDay.Default).toBe('');
    expect(template.Parameters.MaxSpendUsdPerMonth.Default).toBe('');
    expect(template.Parameters.PricePerPostUsd.Default).toBe('0.005');
  });

  it('runs on the 06:00 and 18:00 UTC schedule by default', () => {
    expect(template.Parameters.ScheduleExpression.Default).toBe('cron(0 6,18 * * ? *)');
    expect(fn.Events.Schedule).toMatchObject({
      Type: 'Schedule',
      Properties: { Schedule: { Ref: 'ScheduleExpression' } },
    });
  });

  it('creates the checkpoint table with the key ensureTable uses, on demand, with point-in-time recovery', () => {
    const table = resources.CheckpointTable!.Properties as Node;
    expect(table.BillingMode).toBe('PAY_PER_REQUEST');
    expect(table.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
    // The key attribute is a parameter (an adopted table may use another) whose default is ensureTable's.
    expect(template.Parameters.CheckpointKeyAttribute.Default).toBe(CHECKPOINT_TABLE_KEY.AttributeName);
    expect(table.AttributeDefinitions).toEqual([
      { AttributeName: { Ref: 'CheckpointKeyAttribute' }, AttributeType: CHECKPOINT_TABLE_KEY.AttributeType },
    ]);
    expect(table.KeySchema).toEqual([
      { AttributeName: { Ref: 'CheckpointKeyAttribute' }, KeyType: CHECKPOINT_TABLE_KEY.KeyType },
    ]);
  });

  it.each([
    ['the parser Lambda', false, LAMBDA_SINK_ACTIONS.map((a) => `lambda:${a}`)],
    ['an SQS queue', true, SQS_SINK_ACTIONS.map((a) => `sqs:${a}`)],
  ])('grants exactly the actions the adapters send when delivering to %s', (_label, useSqs, sinkActions) => {
    const expected = [
      ...DYNAMODB_RUNTIME_ACTIONS.map((a) => `dynamodb:${a}`),
      ...SSM_ACTIONS.map((a) => `ssm:${a}`),
      'kms:Decrypt',
      ...sinkActions,
    ].sort();
    expect(actions({ UseSqs: useSqs })).toEqual(expected);
  });

  it('scopes every grant to its resource, and kms:Decrypt to SSM decrypting the token parameter', () => {
    const byAction = new Map(
      statements({ UseSqs: false }).flatMap((s) => (s.Action as string[]).map((a) => [a, s])),
    );
    expect(byAction.get('dynamodb:GetItem')?.Resource['Fn::If'][1]).toEqual({
      'Fn::GetAtt': 'CheckpointTable.Arn',
    });
    expect(JSON.stringify(byAction.get('ssm:GetParameter')?.Resource)).toContain(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation !Sub placeholder.
      'parameter${BearerTokenParameterName}',
    );
    expect(JSON.stringify(byAction.get('lambda:InvokeFunction')?.Resource)).toContain(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation !Sub placeholder.
      'function:${ParserFunctionName}',
    );
    const kms = byAction.get('kms:Decrypt')!;
    expect(Object.keys(kms.Condition.StringEquals).sort()).toEqual([
      'kms:EncryptionContext:PARAMETER_ARN',
      'kms:ViaService',
    ]);
    for (const s of statements({ UseSqs: false })) expect(s.Effect).toBe('Allow');
  });

  it('sends failed invocations to an SQS on-failure destination', () => {
    expect(fn.EventInvokeConfig.DestinationConfig.OnFailure).toEqual({
      Type: 'SQS',
      Destination: { 'Fn::GetAtt': 'FailureQueue.Arn' },
    });
    expect(resources.FailureQueue?.Type).toBe('AWS::SQS::Queue');
  });

  it.each([
    MetricName.errorsEncountered,
    MetricName.apiRequests,
    MetricName.usageCapped,
    MetricName.executionDurationSeconds,
    MetricName.tweetsProcessed,
    MetricName.creditsDepleted,
  ])('alarms on %s as the Metrics adapter publishes it', (metric) => {
    const metrics = Object.values(resources)
      .filter((r) => r.Type === 'AWS::CloudWatch::Alarm')
      .flatMap((r) => [
        r.Properties,
        ...((r.Properties.Metrics as Node[]) ?? []).map((m) => m.MetricStat?.Metric),
      ])
      .filter((m) => m?.MetricName === metric);
    expect(metrics.length).toBeGreaterThan(0);
    for (const m of metrics) {
      expect(m).toMatchObject({
        Namespace: METRICS_NAMESPACE,
        Dimensions: [{ Name: 'service', Value: SERVICE_NAME }],
      });
    }
  });
});
