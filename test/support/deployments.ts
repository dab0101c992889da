/**
 * The deployments the official-SDK end-to-end suites run against: the embedded default (one
 * `serve` process, SQLite + local disk) and scale-out (PostgreSQL + S3, one API process with no
 * workers and two worker processes). A suite written once runs against both.
 */
import { startScaleOutDeployment } from './scale-out-deployment.js';
import { startServerProcess } from './server-process.js';

export interface RunningDeployment {
  /** The API's base URL. */
  url: string;
  stop(): Promise<void>;
}

export interface Deployment {
  name: string;
  start(options: { env: Record<string, string> }): Promise<RunningDeployment>;
}

export const DEPLOYMENTS: readonly Deployment[] = [
  {
    name: 'embedded: SQLite + local disk',
    start: async ({ env }) => startServerProcess({ env }),
  },
  {
    name: 'scale-out: PostgreSQL + S3, 1 API + 2 workers',
    start: async ({ env }) => {
      const deployment = await startScaleOutDeployment({ workers: 2, env });
      return { url: deployment.api.url, stop: () => deployment.stop() };
    },
  },
];
