/**
 * The entry of one worker thread of an embedded server (worker-threads.ts starts it): a batch
 * worker like `batchmode worker`, on its own connection to the same store and its own backends,
 * claiming shards by lease beside the process's other workers. It serves no HTTP and delivers no
 * webhooks (the main thread does both); its engine events go to the main thread's metrics and
 * lifecycle log (thread-events.ts). It stops when the main thread says so, draining as SIGTERM
 * drains a worker process.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Config } from '../config/settings.js';
import { createLogger } from '../lib/logger.js';
import { composeRegistry } from './compose-backends.js';
import { configureEngine } from './configure-engine.js';
import { openStorage } from './open-storage.js';
import { createForwardingEvents } from './thread-events.js';
import type { ToThread, FromThread, WorkerThreadData } from './worker-threads.js';

if (!parentPort) throw new Error('worker-thread.ts runs only as a worker thread (server/worker-threads.ts starts it)');
const port = parentPort;
const { config, index } = workerData as WorkerThreadData<Config>;
const send = (message: FromThread): void => port.postMessage(message);
const logger = createLogger({ level: config.logLevel, base: { thread: index } });

const forwarding = createForwardingEvents((events) => send({ type: 'events', events }));
const storage = await openStorage(config, logger, { thread: true });
const composed = composeRegistry(config);
const engine = configureEngine({ ...storage, config, registry: composed.registry, logger, role: 'worker', events: forwarding.events });
await engine.startWorkers();
send({ type: 'ready', workerId: engine.workerId });

port.on('message', (message: ToThread) => {
  if (message.type === 'wake') engine.pool.wake();
  else if (message.type === 'abort') engine.pool.abortBatch(message.batchId);
  else if (message.type === 'stop') void stop(message.graceMs);
});

async function stop(graceMs: number): Promise<void> {
  try {
    await engine.stopWorkers(graceMs);
    await storage.close();
    await composed.registry.close();
  } catch (error) {
    logger.error('worker thread did not stop cleanly', { error });
  } finally {
    forwarding.flush();
    send({ type: 'stopped' });
    port.close();
  }
}
