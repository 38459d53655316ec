/**
 * Starts `moto_server` (installed on these machines; serves SQS and other AWS APIs with their real
 * wire protocols) on 127.0.0.1 and a free port it picks itself (`-p 0`), for one test file.
 */
import { type ChildProcess, spawn } from 'node:child_process';

export interface MotoHandle {
  readonly endpoint: string;
  close(): Promise<void>;
}

/** Spawns moto_server and waits (bounded) for its "Running on" line. */
export async function startMoto(timeoutMs = 30_000): Promise<MotoHandle> {
  const child: ChildProcess = spawn('moto_server', ['-H', '127.0.0.1', '-p', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const endpoint = await new Promise<string>((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`moto_server did not start in ${timeoutMs} ms: ${seen}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      seen += chunk.toString('utf8');
      const m = /Running on (http:\/\/127\.0\.0\.1:\d+)/.exec(seen);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`moto_server exited with ${code}: ${seen}`));
    });
  });
  return {
    endpoint,
    async close() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
