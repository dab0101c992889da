/** Starts the real server in this process (real HTTP on a free port, temp data dir). */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type ConfigFlags } from '../../src/config.js';
import { silentLogger } from '../../src/lib/logger.js';
import { startServer, type RunningServer } from '../../src/main.js';

export async function startInProcessServer(flags: ConfigFlags = {}): Promise<RunningServer & { dataDir: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'batchmode-it-'));
  const config = loadConfig({ port: 0, dataDir, shutdownGraceSeconds: 1, ...flags }, {});
  return { ...(await startServer(config, silentLogger)), dataDir };
}
