/** `twitter-poller plan`: one fan-out wave, the config's streams cut into shards on an SQS queue. */
import { randomUUID } from 'node:crypto';
import type { Writable } from 'node:stream';
import type { PlanConfig } from '../config/types.js';
import { openStore } from './compose.js';
import { planWave } from './fleet.js';

/** Sends the shards and prints the wave (`{"wave":…,"streams":…,"shards":…}`); resolves with 0. */
export async function runPlan(config: PlanConfig, stdout: Writable): Promise<number> {
  const { SqsShardQueue } = await import('../adapters/aws/shard-queue.js');
  const store = await openStore(config.store, { layout: config.dynamodbLayout });
  const queue = new SqsShardQueue({ queueUrl: config.queueUrl });
  try {
    const plan = await planWave(config.streams, store, queue, config.fanout.shardSize, randomUUID());
    stdout.write(`${JSON.stringify(plan)}\n`);
    return 0;
  } finally {
    queue.close();
    await store.close();
  }
}
