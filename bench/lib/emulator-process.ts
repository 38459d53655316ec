import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { EmulatorSpec } from '../launch-emulator.js';
import { snapshotLauncher } from './contenders.js';

const LAUNCHER = fileURLToPath(new URL('../launch-emulator.ts', import.meta.url));

/** An emulator running in its own process for one benchmark run. */
export interface EmulatorProcess {
  readonly url: string;
  /** Posts matching the query (ground truth size). */
  readonly count: number;
  readonly groundTruthFile: string;
  /** Responses served so far, by HTTP status (connection resets show up as their own fault). */
  statusCounts(): Promise<Record<string, number>>;
  stop(): Promise<void>;
}

/** Spawns `bench/launch-emulator.ts` (the snapshot's bundle when taken) and waits for its ready line (bounded by `timeoutMs`). */
export async function startEmulatorProcess(
  spec: EmulatorSpec,
  timeoutMs = 120_000,
): Promise<EmulatorProcess> {
  const bundled = snapshotLauncher();
  const args = bundled ? [bundled] : ['--import', 'tsx', LAUNCHER];
  const child: ChildProcess = spawn(process.execPath, [...args, JSON.stringify(spec)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const ready = await new Promise<{ url: string; count: number }>((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('emulator did not start in time'));
    }, timeoutMs);
    child.stdout?.setEncoding('utf8').on('data', (d: string) => {
      buf += d;
      const nl = buf.indexOf('\n');
      if (nl >= 0) {
        clearTimeout(timer);
        resolve(JSON.parse(buf.slice(0, nl)) as { url: string; count: number });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`emulator exited with ${code}`));
    });
  });
  return {
    url: ready.url,
    count: ready.count,
    groundTruthFile: spec.groundTruthFile,
    async statusCounts() {
      const res = await fetch(`${ready.url}/_emulator/requests`);
      const body = (await res.json()) as { status_counts: Record<string, number> };
      return body.status_counts;
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.stdin?.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
