/** Starts bench/support/s3rver-child.ts as a child process of the scope; resolves its endpoint and env. */
import { startChildProcess } from './child-server.js';
import type { Scope } from './scope.js';

export interface S3rverProcess {
  endpoint: string;
  bucket: string;
  env: Record<string, string>;
}

export async function startS3rverProcess(scope: Scope, bucket: string): Promise<S3rverProcess> {
  return (await startChildProcess<S3rverProcess>(scope, 's3rver-child.ts', [bucket])).ready;
}
