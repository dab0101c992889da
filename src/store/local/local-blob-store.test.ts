import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeBlobStoreContract } from '../blob-store.contract.js';
import { createLocalBlobStore } from './local-blob-store.js';

describeBlobStoreContract('local disk (temp dir)', async () => {
  const root = await mkdtemp(join(tmpdir(), 'batchmode-blobs-'));
  return { blobs: createLocalBlobStore(root), close: () => rm(root, { recursive: true, force: true }) };
});
