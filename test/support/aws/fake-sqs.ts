/**
 * A loopback stand-in for SQS speaking the AWS JSON 1.0 protocol that @aws-sdk/client-sqs uses
 * (POST /, `X-Amz-Target: AmazonSQS.SendMessageBatch`, `application/x-amz-json-1.0`). Answers with
 * `Successful` entries carrying the body MD5 the SDK verifies, and fails on demand: a whole call
 * throttled (RequestThrottled) or 500, or single entries reported in `Failed`.
 */
import { createHash, randomUUID } from 'node:crypto';
import { listen, readBody, sendJson } from './http-util.js';

export interface ReceivedMessage {
  readonly body: unknown;
  readonly groupId: string | undefined;
  readonly dedupId: string | undefined;
}

interface Entry {
  Id: string;
  MessageBody: string;
  MessageGroupId?: string;
  MessageDeduplicationId?: string;
}

export interface FakeSqs {
  readonly url: string;
  /** Messages accepted, in acceptance order. */
  readonly messages: ReceivedMessage[];
  /** Entry counts of every SendMessageBatch call received. */
  readonly calls: number[];
  /** Decides per entry whether it lands in `Failed`: return an error code, or undefined to accept. */
  failEntry: (entry: Entry, callIndex: number) => string | undefined;
  /** Fails the next whole calls with this status (429-like throttle or 500). */
  failNextCalls(count: number, kind: 'throttle' | 'server-error'): void;
  close(): Promise<void>;
}

const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');
const JSON_10 = { 'content-type': 'application/x-amz-json-1.0' };

export async function startFakeSqs(): Promise<FakeSqs> {
  const messages: ReceivedMessage[] = [];
  const calls: number[] = [];
  const callFaults: ('throttle' | 'server-error')[] = [];
  const fake: Omit<FakeSqs, 'url' | 'close'> = {
    messages,
    calls,
    failEntry: () => undefined,
    failNextCalls: (count, kind) => {
      for (let i = 0; i < count; i++) callFaults.push(kind);
    },
  };
  const server = await listen(async (req, res) => {
    const text = (await readBody(req)).toString('utf8');
    const target = req.headers['x-amz-target'];
    if (target !== 'AmazonSQS.SendMessageBatch') {
      return sendJson(
        res,
        400,
        { __type: 'com.amazonaws.sqs#InvalidAction', message: `unsupported ${target}` },
        JSON_10,
      );
    }
    const fault = callFaults.shift();
    if (fault === 'throttle') {
      return sendJson(
        res,
        400,
        { __type: 'com.amazonaws.sqs#RequestThrottled', message: 'Request is throttled.' },
        {
          ...JSON_10,
          'x-amzn-query-error': 'RequestThrottled;Sender',
        },
      );
    }
    if (fault === 'server-error') {
      return sendJson(res, 500, { __type: 'com.amazonaws.sqs#InternalError', message: 'internal' }, JSON_10);
    }
    const request = JSON.parse(text) as { QueueUrl: string; Entries: Entry[] };
    const callIndex = calls.push(request.Entries.length) - 1;
    const Successful: unknown[] = [];
    const Failed: unknown[] = [];
    for (const entry of request.Entries) {
      const code = fake.failEntry(entry, callIndex);
      if (code !== undefined) {
        Failed.push({
          Id: entry.Id,
          SenderFault: code === 'InvalidMessageContents',
          Code: code,
          Message: code,
        });
        continue;
      }
      messages.push({
        body: JSON.parse(entry.MessageBody),
        groupId: entry.MessageGroupId,
        dedupId: entry.MessageDeduplicationId,
      });
      Successful.push({ Id: entry.Id, MessageId: randomUUID(), MD5OfMessageBody: md5(entry.MessageBody) });
    }
    sendJson(res, 200, { Successful, Failed }, JSON_10);
  });
  return Object.assign(fake, { url: server.url, close: server.close });
}
