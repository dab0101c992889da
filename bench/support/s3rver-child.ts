/**
 * Runs s3rver in a process of its own (so it does not share the bench's one thread) and prints
 * its endpoint, bucket and env as one JSON line; stops on SIGTERM.
 */
import { startLocalS3 } from '../../src/store/s3/testing/local-s3.js';

const s3 = await startLocalS3({ bucket: process.argv[2] ?? 'bench' });
process.stdout.write(`${JSON.stringify({ endpoint: s3.endpoint, bucket: s3.bucket, env: s3.env })}\n`);
process.once('SIGTERM', () => {
  void s3.close().then(() => process.exit(0));
});
