/** Starts bench/support/s3rver-child.ts as a child process of the scope; resolves its endpoint and env. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { Scope } from './scope.js';
import { projectRoot } from './server-process.js';

export interface S3rverProcess {
  endpoint: string;
  bucket: string;
  env: Record<string, string>;
}

export async function startS3rverProcess(scope: Scope, bucket: string): Promise<S3rverProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(projectRoot, 'bench/support/s3rver-child.ts'), bucket], {
    cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'],
  });
  scope.track(child);
  scope.defer(
    () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  );
  let output = '';
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (data: Buffer) => {
      output += data.toString();
      const line = output.split('\n').find((text) => text.startsWith('{'));
      if (line) resolve(JSON.parse(line) as S3rverProcess);
    });
    child.once('exit', (code) => reject(new Error(`s3rver exited (${code}) before it started: ${output}`)));
  });
}
