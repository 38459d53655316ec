import { LambdaClient } from '@aws-sdk/client-lambda';
import { SQSClient } from '@aws-sdk/client-sqs';
import { LambdaInvokeSink } from '../../src/adapters/sinks/lambda.js';
import { SqsSink } from '../../src/adapters/sinks/sqs.js';
import type { Batch } from '../../src/core/ports/sink.js';
import { describeSinkContract } from '../contract/sink.contract.js';
import { DUMMY_AWS } from '../support/aws/dynalite.js';
import { startFakeLambda } from '../support/aws/fake-lambda.js';
import { startFakeSqs } from '../support/aws/fake-sqs.js';

describeSinkContract('lambda Invoke (real SDK, loopback Lambda endpoint)', async () => {
  const fake = await startFakeLambda();
  const client = new LambdaClient({ ...DUMMY_AWS, endpoint: fake.url });
  const sink = new LambdaInvokeSink({ functionName: 'parser', client });
  return {
    sink,
    delivered: async () => fake.invocations.flatMap((i) => [...(i.payload as Batch).tweets]),
    async cleanup() {
      await sink.close();
      client.destroy();
      await fake.close();
    },
  };
});

describeSinkContract('sqs SendMessageBatch (real SDK, loopback SQS endpoint, FIFO)', async () => {
  const fake = await startFakeSqs();
  const client = new SQSClient({ ...DUMMY_AWS, endpoint: fake.url });
  const sink = new SqsSink({ queueUrl: `${fake.url}/123456789012/posts.fifo`, client });
  return {
    sink,
    delivered: async () => fake.messages.flatMap((m) => [...(m.body as Batch).tweets]),
    async cleanup() {
      await sink.close();
      client.destroy();
      await fake.close();
    },
  };
});
