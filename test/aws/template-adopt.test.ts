/**
 * infra/template.yaml in its two modes: a new deployment (it creates the checkpoint table) and the
 * drop-in upgrade of an existing poller (it adopts the old table, parser and token parameter). Each
 * is rendered for its parameter values and linted with cfn-lint (informational checks included).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAMBDA_ENV_DEPLOYED } from '../../src/config/lambda-env.js';
import { loadTemplate, type Node, render } from '../support/aws/cfn-render.js';

const run = promisify(execFile);
const template = loadTemplate();
const NEW = { ParserFunctionName: 'parser' };
const ADOPT = {
  ExistingCheckpointTableName: 'old-poller-checkpoints',
  CheckpointKeyAttribute: 'feed',
  LegacySinceIdAttribute: 'last_id',
  ExistingParserFunctionArn: 'arn:aws:lambda:eu-west-1:111122223333:function:old-parser',
  ExistingBearerTokenParameterName: '/old-poller/token',
  PayloadFormat: 'tweets',
  InvocationType: 'RequestResponse',
};
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tp-template-'));
});
afterAll(async () => {
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

const fn = (t: Node) => t.Resources.PollerFunction.Properties as Node;
const statement = (t: Node, sid: string) =>
  (fn(t).Policies as Node[]).flatMap((p) => p.Statement as Node[]).find((s) => s.Sid === sid)!;

describe('infra/template.yaml: new deployment or adopting an existing poller', () => {
  it('creates the table only when ExistingCheckpointTableName is empty, keyed by CheckpointKeyAttribute', () => {
    const fresh = render(template, NEW).template;
    expect(fresh.Resources.CheckpointTable.Properties.KeySchema).toEqual([
      { AttributeName: { Ref: 'CheckpointKeyAttribute' }, KeyType: 'HASH' },
    ]);
    expect(fn(fresh).Environment.Variables.CHECKPOINT_TABLE).toEqual({ Ref: 'CheckpointTable' });

    const adopted = render(template, ADOPT).template;
    const types = Object.values(adopted.Resources as Record<string, Node>).map((r) => r.Type);
    expect(types).not.toContain('AWS::DynamoDB::Table');
    expect(types).toContain('AWS::Serverless::Function');
    expect(fn(adopted).Environment.Variables.CHECKPOINT_TABLE).toEqual({
      Ref: 'ExistingCheckpointTableName',
    });
    expect(JSON.stringify(adopted)).not.toContain('CheckpointTable.Arn');
  });

  it('passes the attribute names, payload format and Invoke type to the function', () => {
    const vars = fn(render(template, ADOPT).template).Environment.Variables as Node;
    expect(Object.keys(vars).sort()).toEqual([...LAMBDA_ENV_DEPLOYED].sort());
    expect(vars).toMatchObject({
      CHECKPOINT_KEY_ATTRIBUTE: { Ref: 'CheckpointKeyAttribute' },
      LEGACY_SINCE_ID_ATTRIBUTE: { Ref: 'LegacySinceIdAttribute' },
      PAYLOAD_FORMAT: { Ref: 'PayloadFormat' },
      INVOCATION_TYPE: { Ref: 'InvocationType' },
      BEARER_TOKEN_PARAMETER: { Ref: 'ExistingBearerTokenParameterName' },
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation !Sub placeholder.
      SINK: { 'Fn::Sub': 'lambda:${ExistingParserFunctionArn}' },
    });
    expect(template.Parameters.CheckpointKeyAttribute.Default).toBe('stream');
    expect(template.Parameters.LegacySinceIdAttribute.Default).toBe('since_id');
    expect(template.Parameters.PayloadFormat.AllowedValues).toEqual(['envelope', 'tweets', 'array']);
  });

  it('scopes IAM to whichever table, parser and token parameter are used', () => {
    const fresh = render(template, NEW).template;
    const adopted = render(template, ADOPT).template;
    expect(statement(fresh, 'Checkpoints').Resource).toEqual({ 'Fn::GetAtt': 'CheckpointTable.Arn' });
    expect(JSON.stringify(statement(adopted, 'Checkpoints').Resource)).toContain(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation !Sub placeholder.
      'table/${ExistingCheckpointTableName}',
    );
    expect(statement(adopted, 'DeliverToParser').Resource).toEqual({ Ref: 'ExistingParserFunctionArn' });
    expect(JSON.stringify(statement(fresh, 'DeliverToParser').Resource)).toContain(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation !Sub placeholder.
      'function:${ParserFunctionName}',
    );
    for (const sid of ['Parameters', 'DecryptTokenThroughSsm']) {
      const adoptedText = JSON.stringify(statement(adopted, sid));
      expect(adoptedText).toContain('ExistingBearerTokenParameterName');
      expect(adoptedText).not.toContain('{BearerTokenParameterName}');
      expect(JSON.stringify(statement(fresh, sid))).not.toContain('ExistingBearerTokenParameterName');
    }
  });

  it.each([
    ['no sink at all', {}, ['Set a sink']],
    ['a queue without its URL', { SinkQueueArn: 'arn:aws:sqs:us-east-1:111122223333:q' }, ['SinkQueueUrl']],
    ['a parser name', NEW, []],
    ['an adopted parser', { ExistingParserFunctionArn: ADOPT.ExistingParserFunctionArn }, []],
  ])('Rules: %s', (_label, params, failures) => {
    const failed = render(template, params).failedRules;
    expect(failed).toHaveLength(failures.length);
    for (const [i, text] of failures.entries()) expect(failed[i]).toContain(text);
  });

  it('alarms on the error rate (metric math), a run over 14 minutes and two schedules without data', () => {
    const alarms = Object.values(template.Resources as Record<string, Node>)
      .filter((r) => r.Type === 'AWS::CloudWatch::Alarm')
      .map((r) => r.Properties as Node);
    const rate = alarms.find((a) => Array.isArray(a.Metrics))!;
    const ids = (rate.Metrics as Node[]).map((m) => m.MetricStat?.Metric.MetricName ?? m.Expression);
    expect(ids).toEqual(['ErrorsEncountered', 'ApiRequests', expect.stringContaining('errors / requests')]);
    expect(rate).toMatchObject({ Threshold: 5, ComparisonOperator: 'GreaterThanThreshold' });
    expect(alarms.find((a) => a.MetricName === 'ExecutionDurationSeconds')).toMatchObject({
      Threshold: 840,
      ComparisonOperator: 'GreaterThanThreshold',
    });
    expect(alarms.find((a) => a.MetricName === 'TweetsProcessed')).toMatchObject({
      Statistic: 'SampleCount',
      EvaluationPeriods: 2,
      Period: { Ref: 'ScheduleIntervalSeconds' },
      TreatMissingData: 'breaching',
    });
  });

  it('passes cfn-lint (informational checks too) as written and rendered in both modes', async () => {
    const fresh = join(dir, 'new.json');
    const adopted = join(dir, 'adopt.json');
    await writeFile(fresh, JSON.stringify(render(template, NEW).template));
    await writeFile(adopted, JSON.stringify(render(template, ADOPT).template));
    const result = await run('cfn-lint', ['-c', 'I', '--', 'infra/template.yaml', fresh, adopted]).then(
      (r) => ({ code: 0, output: r.stdout + r.stderr }),
      (e: { code: number; stdout: string; stderr: string }) => ({
        code: e.code,
        output: e.stdout + e.stderr,
      }),
    );
    expect(result.output).toBe('');
    expect(result.code).toBe(0);
  }, 120_000);
});
