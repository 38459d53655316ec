/**
 * A loopback stand-in for SSM Parameter Store speaking the AWS JSON 1.1 protocol of
 * @aws-sdk/client-ssm (`X-Amz-Target: AmazonSSM.GetParameter`). SecureString values are returned only
 * when the request asks for decryption (as the real service returns ciphertext otherwise).
 */
import { listen, readBody, sendJson } from './http-util.js';

const JSON_11 = { 'content-type': 'application/x-amz-json-1.1' };

export interface FakeSsm {
  readonly url: string;
  /** Parameters by name: value and type. */
  readonly parameters: Map<string, { value: string; type: 'String' | 'SecureString' }>;
  /** GetParameter requests received: name and WithDecryption. */
  readonly requests: { name: string; withDecryption: boolean }[];
  /** Parameter names answered with AccessDeniedException, as SSM does when IAM denies the caller. */
  readonly denied: Set<string>;
  /** Fails every request with 500 while true. */
  failing: boolean;
  /** Fails this many next requests with 500 (then answers normally). */
  failNext: number;
  close(): Promise<void>;
}

export async function startFakeSsm(): Promise<FakeSsm> {
  const fake = {
    parameters: new Map<string, { value: string; type: 'String' | 'SecureString' }>(),
    requests: [] as { name: string; withDecryption: boolean }[],
    failing: false,
    failNext: 0,
    denied: new Set<string>(),
  };
  const server = await listen(async (req, res) => {
    const body = JSON.parse((await readBody(req)).toString('utf8') || '{}') as {
      Name?: string;
      WithDecryption?: boolean;
    };
    if (req.headers['x-amz-target'] !== 'AmazonSSM.GetParameter') {
      return sendJson(res, 400, { __type: 'InvalidAction', message: 'unsupported' }, JSON_11);
    }
    const name = body.Name ?? '';
    fake.requests.push({ name, withDecryption: body.WithDecryption === true });
    if (fake.failNext > 0) {
      fake.failNext -= 1;
      return sendJson(res, 500, { __type: 'InternalServerError', message: 'internal' }, JSON_11);
    }
    if (fake.failing)
      return sendJson(res, 500, { __type: 'InternalServerError', message: 'internal' }, JSON_11);
    if (fake.denied.has(name)) {
      const message = `User is not authorized to perform: ssm:GetParameter on resource: ${name}`;
      return sendJson(res, 400, { __type: 'AccessDeniedException', message }, JSON_11);
    }
    const parameter = fake.parameters.get(name);
    if (parameter === undefined) {
      return sendJson(
        res,
        400,
        { __type: 'ParameterNotFound', message: `Parameter ${name} not found.` },
        JSON_11,
      );
    }
    const value =
      parameter.type === 'SecureString' && body.WithDecryption !== true
        ? 'AQICAHh-ciphertext-base64'
        : parameter.value;
    sendJson(
      res,
      200,
      {
        Parameter: {
          Name: name,
          Type: parameter.type,
          Value: value,
          Version: 1,
          LastModifiedDate: 1_800_000_000,
          ARN: `arn:aws:ssm:us-east-1:123456789012:parameter${name}`,
          DataType: 'text',
        },
      },
      JSON_11,
    );
  });
  return Object.assign(fake, { url: server.url, close: server.close });
}
