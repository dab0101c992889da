/**
 * What the fault tests ask of a deployment's processes while a fault is on and after it: which
 * of them ended (with the end of their output), and what each logged.
 */
import type { ScaleOutDeployment } from './scale-out-deployment.js';
import type { ServerProcess } from './server-process.js';

/** The processes of the deployment that are no longer running, with the end of their output. */
export function deadProcesses(processes: readonly ServerProcess[]): string[] {
  return processes
    .map((each, index) => ({ each, index }))
    .filter(({ each }) => each.child.exitCode !== null || each.child.signalCode !== null)
    .map(({ each, index }) => `process ${index} ended (${each.child.exitCode ?? each.child.signalCode}):\n${each.output().slice(-3000)}`);
}

/** Every process of a deployment: the API first, then the workers. */
export const processesOf = (deployment: ScaleOutDeployment): ServerProcess[] => [deployment.api, ...deployment.workers];

/** How many times each log message (`msg` of the JSON log lines) appears in a process's output. */
export function logMessages(process: ServerProcess): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const line of process.output().split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const { msg } = JSON.parse(line) as { msg?: unknown };
      if (typeof msg === 'string') counts[msg] = (counts[msg] ?? 0) + 1;
    } catch {
      // not a log line
    }
  }
  return counts;
}
