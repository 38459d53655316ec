import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, rmSync } from 'node:fs';

/** A command to run as one measured contender process. */
export interface MeasuredCommand {
  readonly command: string;
  readonly args: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
  /** Killed (whole process group) after this long. */
  readonly timeoutMs: number;
}

/** Resource use of one contender process, from GNU time (`wait4` rusage of the child). */
export interface Measurement {
  readonly wallMs: number;
  /** user + sys CPU seconds of the contender (and any children it waited for). */
  readonly cpuS: number;
  readonly peakRssMb: number;
  readonly exitCode: number | null;
  readonly timedOut: boolean;
  readonly stdout: string;
  /** Last 2 KB of stderr. */
  readonly stderrTail: string;
}

export const GNU_TIME = '/usr/bin/time';

/**
 * Runs `cmd` under `/usr/bin/time -f '%U %S %M'` in its own process group; wall time is taken here
 * around spawn-to-exit (process start-up included, equally for every contender).
 * stderr goes to a file beside `timeFile`, as a deployed poller's logs go to a file or the Lambda
 * runtime: reading a chatty contender's logs through a pipe would cost this process CPU on the
 * cores the contender and the emulator share (measured: ~0.8 s of 6.5 s for the CLI's JSON logs).
 */
export async function measure(cmd: MeasuredCommand, timeFile: string): Promise<Measurement> {
  rmSync(timeFile, { force: true });
  const stderrFile = `${timeFile}.stderr`;
  const stderrFd = openSync(stderrFile, 'w');
  const started = performance.now();
  const child = spawn(GNU_TIME, ['-f', '%U %S %M', '-o', timeFile, cmd.command, ...cmd.args], {
    cwd: cmd.cwd,
    env: { ...process.env, ...cmd.env },
    stdio: ['ignore', 'pipe', stderrFd],
    detached: true,
  });
  closeSync(stderrFd);
  let stdout = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => {
    if (stdout.length < 1_000_000) stdout += d;
  });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    if (child.pid !== undefined) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }, cmd.timeoutMs);
  const exitCode = await new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  clearTimeout(timer);
  const wallMs = performance.now() - started;
  let cpuS = Number.NaN;
  let peakRssMb = Number.NaN;
  if (existsSync(timeFile)) {
    const last = readFileSync(timeFile, 'utf8').trim().split('\n').pop() ?? '';
    const [user, sys, rssKb] = last.split(' ').map(Number);
    if (user !== undefined && sys !== undefined && rssKb !== undefined) {
      cpuS = user + sys;
      peakRssMb = rssKb / 1024;
    }
  }
  const stderr = readFileSync(stderrFile, 'utf8').slice(-2048);
  rmSync(stderrFile, { force: true });
  return { wallMs, cpuS, peakRssMb, exitCode, timedOut, stdout, stderrTail: stderr };
}
