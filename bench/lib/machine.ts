import { readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';

/** The machine a run happened on. */
export interface MachineInfo {
  readonly nproc: number;
  readonly cpuModel: string;
  readonly node: string;
  readonly python: string;
  readonly memoryGb: number;
  readonly kernel: string;
}

/** nproc, CPU model (/proc/cpuinfo), node version, memory. */
export function machineInfo(python: string): MachineInfo {
  let cpuModel = cpus()[0]?.model ?? 'unknown';
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m?.[1]) cpuModel = m[1].trim();
  } catch {
    // not Linux
  }
  let kernel = '';
  try {
    kernel = readFileSync('/proc/version', 'utf8').split(' ').slice(0, 3).join(' ');
  } catch {
    kernel = process.platform;
  }
  return {
    nproc: cpus().length,
    cpuModel,
    node: process.version,
    python,
    memoryGb: totalmem() / 1024 ** 3,
    kernel,
  };
}

/** The 1-minute load average, formatted (other work on the machine skews timings). */
export function load1(): string {
  return loadavg()[0]!.toFixed(2);
}
