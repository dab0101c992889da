/** Starts the real server in this process (real HTTP on a free port, a temp data dir removed on close). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type ConfigFlags } from '../../src/config/settings.js';
import { silentLogger } from '../../src/lib/logger.js';
import { startServer, type RunningServer } from '../../src/server/start-api.js';

export async function startInProcessServer(flags: ConfigFlags = {}): Promise<RunningServer & { dataDir: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'batchmode-it-'));
  const config = loadConfig({ port: 0, dataDir, shutdownGraceSeconds: 1, ...flags }, {});
  const server = await startServer(config, silentLogger);
  return {
    ...server,
    dataDir,
    close: async () => {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
