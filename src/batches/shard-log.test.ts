// The shard-log line format and its recovery: a torn last line (a writer that died mid-write)
// is dropped and its bytes reported, so that the worker taking over can cut it off.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import type { ShardRecord } from '../core/batch.js';
import { shardLogKey } from '../core/blob-keys.js';
import type { BlobStore } from '../store/blob-store.js';
import { createLocalBlobStore } from '../store/local/local-blob-store.js';
import { encodeOutputLine, keptResultLine, parseLogLine, readShardOutput as readOutput, type ShardOutput } from './shard-log.js';
import { resultsInOrder } from './shard-results.js';
import { appendToLog, logLine } from './testing/batch-fixture.js';

let dir: string;
let blobs: BlobStore;
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'batchmode-shard-log-')); blobs = createLocalBlobStore(dir); });
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Shard 1 of batch b1: requests 10, 11 and 12. */
const shard: ShardRecord = {
  batchId: 'b1', index: 1, firstRequest: 10, requestCount: 3, byteStart: 0, byteEnd: 0, state: 'running', succeededCount: 0, failedCount: 0,
};
const withoutNewline = (line: string): Buffer => Buffer.from(line.replace(/\n$/, ''));

/**
 * Reads the log both ways (bytes kept, and offsets only with the lines read back by range) and
 * checks they agree; answers the output with its lines in order.
 */
async function readShardOutput(store: BlobStore, of: ShardRecord): Promise<ShardOutput & { lines: (Buffer | undefined)[] }> {
  const kept = await readOutput(store, of, { keepBytesUpTo: Number.POSITIVE_INFINITY });
  const ranged = await readOutput(store, of);
  assert.equal(ranged.bytes, undefined, 'bytes are not kept by default');
  const lines: (Buffer | undefined)[] = [];
  for await (const line of resultsInOrder(store, of, ranged)) lines.push(line);
  assert.deepEqual(lines.map(String), Array.from({ length: of.requestCount }, (_, position) => String(keptResultLine(kept, position))), 'read back by range as kept');
  assert.deepEqual([ranged.succeeded, ranged.failed, ranged.usage, ranged.validBytes], [kept.succeeded, kept.failed, kept.usage, kept.validBytes]);
  return { ...ranged, lines };
}

test('a line parses back to what was encoded', () => {
  const usage = { promptTokenCount: 1, candidatesTokenCount: 2, thoughtsTokenCount: 0, cachedContentTokenCount: 0, totalTokenCount: 3 };
  const ok = parseLogLine(withoutNewline(encodeOutputLine(12, true, '{"response":{"a":"\\t"}}', usage)));
  assert.deepEqual({ ...ok, resultLine: ok?.resultLine.toString() }, { requestIndex: 12, succeeded: true, usage, resultLine: '{"response":{"a":"\\t"}}' });
  const failed = parseLogLine(withoutNewline(encodeOutputLine(0, false, '{"error":{}}')));
  assert.deepEqual([failed?.requestIndex, failed?.succeeded, failed?.usage, failed?.resultLine.toString()], [0, false, undefined, '{"error":{}}']);
});

test('malformed lines are not entries', () => {
  for (const line of ['', '12', '12\ts', '12\ts\t1,2,3,4,5', '\ts\t\t{}', 'x\ts\t\t{}', '-1\ts\t\t{}', '12\tss\t\t{}']) {
    assert.equal(parseLogLine(Buffer.from(line)), undefined, JSON.stringify(line));
  }
});

test('no log yet: nothing done, no size', async () => {
  const output = await readShardOutput(blobs, shard);
  assert.deepEqual([output.succeeded, output.failed, output.validBytes, output.storedBytes, output.lines.length], [0, 0, 0, undefined, 3]);
});

test('results land at their position in the shard, whatever the order they finished in', async () => {
  await appendToLog(blobs, 'b1', 1, logLine(12, { totalTokens: 5 }) + logLine(10, { failed: true }) + logLine(11, { totalTokens: 2 }));
  const output = await readShardOutput(blobs, shard);
  assert.deepEqual(output.lines.map((line) => (JSON.parse(String(line)) as { metadata: { i: number } }).metadata.i), [10, 11, 12]);
  assert.deepEqual([output.succeeded, output.failed, output.usage.totalTokenCount], [2, 1, 7]);
  assert.equal(output.validBytes, output.storedBytes);
});

test('a half-written last line is dropped and its bytes reported; cutting them off recovers the log', async () => {
  const whole = logLine(10) + logLine(11);
  const torn = logLine(12).slice(0, 9);
  await appendToLog(blobs, 'b1', 1, whole + torn);
  const output = await readShardOutput(blobs, shard);
  assert.deepEqual([output.succeeded, output.lines[2]], [2, undefined]);
  assert.equal(output.validBytes, Buffer.byteLength(whole));
  assert.equal(output.storedBytes, Buffer.byteLength(whole + torn));

  // What run-shard does on takeover: truncate to the whole lines, then append the request again.
  await blobs.truncate(shardLogKey('b1', 1), output.validBytes);
  await appendToLog(blobs, 'b1', 1, logLine(12));
  const recovered = await readShardOutput(blobs, shard);
  assert.deepEqual([recovered.succeeded, recovered.validBytes, recovered.storedBytes], [3, Buffer.byteLength(whole + logLine(12)), recovered.validBytes]);
});

test('a request logged twice counts once, and the later line wins', async () => {
  await appendToLog(blobs, 'b1', 1, logLine(10, { failed: true, totalTokens: 4 }) + logLine(10, { totalTokens: 4 }));
  const output = await readShardOutput(blobs, shard);
  assert.deepEqual([output.succeeded, output.failed, output.usage.totalTokenCount], [0, 1, 0]);
  assert.match(String(output.lines[0]), /"response"/);
});

test('reading stops at a line that belongs to no request of the shard', async () => {
  await appendToLog(blobs, 'b1', 1, logLine(10) + logLine(13) + logLine(11));
  const output = await readShardOutput(blobs, shard);
  assert.deepEqual([output.succeeded, output.validBytes], [1, Buffer.byteLength(logLine(10))]);
});

test('a usage field that is not five whole numbers is still summed as the text says', async () => {
  await appendToLog(blobs, 'b1', 1, logLine(10, { totalTokens: 3 }) + '11\ts\t1,0,0,0,2.5\t{"response":1}\n');
  const output = await readShardOutput(blobs, shard);
  assert.deepEqual([output.succeeded, output.usage.promptTokenCount, output.usage.totalTokenCount], [2, 1, 5.5]);
  assert.equal(String(output.lines[1]), '{"response":1}');
});
