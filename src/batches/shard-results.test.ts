// Tests of reading a shard's results in input order: a small log kept whole, a large one read back by range.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import type { ShardRecord } from '../core/batch.js';
import type { BlobStore } from '../store/blob-store.js';
import { createLocalBlobStore } from '../store/local/local-blob-store.js';
import { encodeOutputLine } from './shard-log.js';
import { readShardForResults, resultsInOrder } from './shard-results.js';
import { appendToLog } from './testing/batch-fixture.js';

let dir: string;
let blobs: BlobStore;
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'batchmode-shard-results-')); blobs = createLocalBlobStore(dir); });
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const REQUESTS = 12;
const shard: ShardRecord = {
  batchId: 'b1', index: 0, firstRequest: 100, requestCount: REQUESTS, byteStart: 0, byteEnd: 0, state: 'running', succeededCount: 0, failedCount: 0,
};
/** A result line of about `size` bytes that says which request it is. */
const result = (index: number, size: number): string => JSON.stringify({ key: `k${index}`, response: { pad: String(index % 10).repeat(size) } });

async function inOrder(keepBytesUpTo: number): Promise<{ kept: boolean; lines: (string | undefined)[] }> {
  const output = await readShardForResults(blobs, shard, keepBytesUpTo);
  const lines: (string | undefined)[] = [];
  for await (const line of resultsInOrder(blobs, shard, output)) lines.push(line?.toString());
  return { kept: output.bytes !== undefined, lines };
}

test('large results logged out of order, with gaps and a retried request, come back in input order by range', async () => {
  // Sizes around the range limit (8 MiB): some ranges hold several results, some one.
  const sizes = [10, 3 << 20, 5 << 20, 100, 9 << 20, 20, 1 << 20, 2 << 20, 7, 4 << 20, 300, 6];
  const order = [4, 0, 2, 1, 11, 9, 7, 6, 3, 10, 2];
  let text = '';
  for (const position of order) text += encodeOutputLine(100 + position, true, result(position, sizes[position] ?? 1));
  await appendToLog(blobs, 'b1', 0, text);
  const ranged = await inOrder(0);
  const kept = await inOrder(Number.POSITIVE_INFINITY);
  assert.deepEqual([ranged.kept, kept.kept], [false, true]);
  assert.equal(ranged.lines.length, REQUESTS);
  assert.deepEqual(ranged.lines, kept.lines, 'the same lines either way');
  for (let position = 0; position < REQUESTS; position++) {
    const line = ranged.lines[position];
    if (position === 5 || position === 8) {
      assert.equal(line, undefined, `position ${position} never finished`);
      continue;
    }
    assert.equal((JSON.parse(line ?? '{}') as { key: string }).key, `k${position}`);
    assert.equal(line?.length, result(position, sizes[position] ?? 1).length);
  }
});

test('small results logged in order are read in few ranges and match', async () => {
  let text = '';
  for (let position = 0; position < REQUESTS; position++) text += encodeOutputLine(100 + position, position % 3 !== 0, result(position, 50));
  await appendToLog(blobs, 'b1', 0, text);
  const ranged = await inOrder(0);
  assert.deepEqual(ranged.lines, (await inOrder(Number.POSITIVE_INFINITY)).lines);
  assert.ok(ranged.lines.every((line) => line !== undefined));
});
