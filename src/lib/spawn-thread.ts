/**
 * Starts a worker thread on a module that sits next to the caller, taking the caller's own
 * extension: the compiled `name.js` in dist/, or `name.ts` under tsx (tests, `npm run bench`'s
 * helpers). Node 20 does not carry the parent's tsx hooks (`--import tsx`) into a worker thread,
 * so there the thread first registers tsx itself, then imports the `.ts` entry.
 */
import { Worker, type WorkerOptions } from 'node:worker_threads';

/** `callerUrl` is the caller's `import.meta.url`; `name` the entry module's name without extension. */
export function spawnModuleThread(callerUrl: string, name: string, options: WorkerOptions = {}): Worker {
  if (!callerUrl.endsWith('.ts')) return new Worker(new URL(`./${name}.js`, callerUrl), options);
  const entry = new URL(`./${name}.ts`, callerUrl).href;
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(boot, { ...options, eval: true });
}
