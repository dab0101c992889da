/** The machine a bench ran on, for the report. */
import { readFileSync } from 'node:fs';
import { availableParallelism, release, totalmem } from 'node:os';

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryGib: number;
  node: string;
  os: string;
}

export function describeMachine(): MachineInfo {
  let cpuModel = 'unknown';
  try {
    cpuModel = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? cpuModel;
  } catch {
    // not Linux: keep 'unknown'
  }
  return {
    cpuModel,
    cores: availableParallelism(),
    memoryGib: totalmem() / 1024 ** 3,
    node: process.version,
    os: `${process.platform} ${release()} ${process.arch}`,
  };
}
