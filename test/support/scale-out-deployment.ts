/**
 * A scale-out deployment for tests: a fresh schema in a real PostgreSQL, a local S3 (s3rver,
 * in this process), one `batchmode serve --workers=false` API process and N `batchmode worker`
 * processes, all separate child processes talking over real HTTP and SQL.
 *
 * PostgreSQL comes from BATCHMODE_TEST_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test
 * (`.ci/run` starts it when it is down), or from the `databaseUrl` option (a private server of a
 * fault test, see private-postgres.ts). The local S3 is handed back too, for tests that stop it.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { startLocalS3, type LocalS3 } from '../../src/store/s3/testing/local-s3.js';
import { startServerProcess, type ServerProcess } from './server-process.js';

export const TEST_DATABASE_URL = process.env.BATCHMODE_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface ScaleOutDeployment {
  api: ServerProcess;
  /** The in-process s3rver every process stores file bytes in (stop/start it for an outage). */
  s3: LocalS3;
  workers: ServerProcess[];
  /** The env every process of the deployment was started with (to start more workers). */
  env: Record<string, string>;
  startWorker(extraEnv?: Record<string, string>): Promise<ServerProcess>;
  stop(): Promise<void>;
}

export async function startScaleOutDeployment(options: {
  workers: number;
  /** Settings for every process (API keys, simulated model knobs, …). */
  env: Record<string, string>;
  /** The PostgreSQL to use instead of TEST_DATABASE_URL. */
  databaseUrl?: string;
}): Promise<ScaleOutDeployment> {
  const databaseUrl = options.databaseUrl ?? TEST_DATABASE_URL;
  const schema = `bm_scale_${randomBytes(4).toString('hex')}`;
  const bucket = `bm-${randomBytes(4).toString('hex')}`;
  const s3: LocalS3 = await startLocalS3({ bucket });
  const env: Record<string, string> = {
    BATCHMODE_DATABASE_URL: databaseUrl,
    BATCHMODE_DATABASE_SCHEMA: schema,
    BATCHMODE_BLOB_URL: `s3://${bucket}/batchmode`,
    ...s3.env,
    ...options.env,
  };
  const started: ServerProcess[] = [];
  const stop = async (): Promise<void> => {
    await Promise.allSettled(started.map((process) => process.stop()));
    await s3.close();
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    } finally {
      await client.end();
    }
  };
  const startWorker = async (extraEnv: Record<string, string> = {}): Promise<ServerProcess> => {
    const worker = await startServerProcess({ command: 'worker', env: { ...env, ...extraEnv } });
    started.push(worker);
    return worker;
  };
  try {
    const api = await startServerProcess({ env: { ...env, BATCHMODE_WORKERS: 'false' } });
    started.push(api);
    const workers: ServerProcess[] = [];
    for (let index = 0; index < options.workers; index++) workers.push(await startWorker());
    return { api, s3, workers, env, startWorker, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
