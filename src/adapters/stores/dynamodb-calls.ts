/**
 * The calls every DynamoDB store makes the same way (checkpoints, spend ledger, rate budget): one
 * SDK call with its failure named, and a consistent read of one item.
 */
import {
  type AttributeValue,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
} from '@aws-sdk/client-dynamodb';
import { toAwsServiceError } from '../aws/errors.js';

/** True for the failure of a conditional write (the caller decides what it means). */
export function isConditionFailure(error: unknown): error is ConditionalCheckFailedException {
  return (
    error instanceof ConditionalCheckFailedException ||
    (error as Error)?.name === 'ConditionalCheckFailedException'
  );
}

/**
 * Runs one SDK call (the SDK retries throttling and 5xx). A failed condition passes through for the
 * caller; any other failure becomes an AwsServiceError naming `operation`.
 */
export async function callDynamoDb<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (isConditionFailure(error)) throw error;
    throw toAwsServiceError('DynamoDB', operation, error);
  }
}

/** The item under `key`, read consistently, or undefined when there is none. */
export async function getItemConsistently(
  client: DynamoDBClient,
  tableName: string,
  key: Record<string, AttributeValue>,
  send: <T>(call: () => Promise<T>) => Promise<T>,
): Promise<Record<string, AttributeValue> | undefined> {
  const out = await send(() =>
    client.send(new GetItemCommand({ TableName: tableName, Key: key, ConsistentRead: true })),
  );
  return out.Item;
}
