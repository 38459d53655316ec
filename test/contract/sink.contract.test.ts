import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
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
