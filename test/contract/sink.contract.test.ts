import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { JsonlFileSink } from '../../src/adapters/sinks/jsonl.js';
import { StdoutSink } from '../../src/adapters/sinks/stdout.js';
import { describeSinkContract } from './sink.contract.js';

const parseLines = (text: string): Record<string, unknown>[] =>
  text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describeSinkContract('jsonl file (real file)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tp-jsonl-'));
  const path = join(dir, 'out', 'posts.jsonl');
  const sink = new JsonlFileSink({ path });
  return {
    sink,
    delivered: async () => parseLines(await readFile(path, 'utf8').catch(() => '')),
    async cleanup() {
      await sink.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

describe('jsonl file sink', () => {
  it('holds written batches until flush, then appends them in one piece after what the file had', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tp-jsonl-'));
    const path = join(dir, 'posts.jsonl');
    await writeFile(path, '{"id":"1"}\n');
    const sink = new JsonlFileSink({ path });
    const tweets = (ids: string[]) => ids.map((id) => ({ id, text: `post ${id}` }));
    const batch = (ids: string[]) =>
      ({
        version: 1,
        stream: 's',
        batch_id: ids.join('-'),
        correlation_id: 'c',
        tweets: tweets(ids),
      }) as const;
    await sink.write(batch(['30', '20']));
    await sink.write(batch(['10']));
    expect(await readFile(path, 'utf8')).toBe('{"id":"1"}\n');
    await sink.flush();
    expect(parseLines(await readFile(path, 'utf8')).map((t) => t.id)).toEqual(['1', '30', '20', '10']);
    await sink.write(batch(['5']));
    await sink.close();
    expect(parseLines(await readFile(path, 'utf8')).map((t) => t.id)).toEqual(['1', '30', '20', '10', '5']);
    await rm(dir, { recursive: true, force: true });
  });
});

describeSinkContract('stdout (injected stream with a tiny buffer)', async () => {
  // highWaterMark 16 forces backpressure on every batch; the reader consumes in its own time.
  const stream = new PassThrough({ highWaterMark: 16 });
  let text = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    text += chunk;
  });
  const sink = new StdoutSink({ stream });
  return {
    sink,
    delivered: async () => parseLines(text),
    async cleanup() {
      await sink.close();
      stream.destroy();
    },
  };
});
