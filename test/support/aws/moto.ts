/** moto_server (installed on this machine) started on a free loopback port for one test file. */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';

export interface MotoHandle {
  readonly url: string;
  close(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Starts moto_server and waits (bounded) until it answers. */
export async function startMoto(): Promise<MotoHandle> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const child: ChildProcess = spawn('moto_server', ['-p', String(port), '-H', '127.0.0.1'], {
      stdio: 'ignore',
    });
    const url = `http://127.0.0.1:${port}`;
    for (let i = 0; i < 200 && child.exitCode === null; i++) {
      const up = await fetch(`${url}/moto-api/`).then(
        () => true,
        () => false,
      );
      if (up) {
        return {
          url,
          close: () =>
            new Promise((resolve) => {
              child.once('exit', () => resolve());
              child.kill('SIGTERM');
            }),
        };
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    child.kill('SIGKILL'); // the port was taken meanwhile, or it did not start: try another
  }
  throw new Error('moto_server did not start');
}
