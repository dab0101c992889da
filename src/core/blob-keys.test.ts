// The blob key layout: the exact spellings (stored keys must not move between versions) and
// that each prefix covers exactly the keys it is meant to delete.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { batchInputKey, batchPrefix, fileKey, resultsKey, shardLogKey, shardLogsPrefix, stagingKey } from './blob-keys.js';

test('keys are spelled as they are stored', () => {
  assert.equal(batchInputKey('b1'), 'batches/b1/input.jsonl');
  assert.equal(shardLogKey('b1', 3), 'batches/b1/shards/3.log');
  assert.equal(resultsKey('b1', 'a-1'), 'batches/b1/results-a-1.jsonl');
  assert.equal(fileKey('t1', 'f1', 'v1'), 'files/t1/f1.v1');
  assert.equal(stagingKey('u1'), 'uploads/u1');
});

test('prefixes end with a slash and cover exactly their batch', () => {
  for (const prefix of [batchPrefix('b1'), shardLogsPrefix('b1')]) assert.ok(prefix.endsWith('/'));
  assert.ok(shardLogKey('b1', 0).startsWith(shardLogsPrefix('b1')));
  for (const key of [batchInputKey('b1'), shardLogKey('b1', 0), resultsKey('b1', 'x')]) assert.ok(key.startsWith(batchPrefix('b1')));
  assert.ok(!batchInputKey('b1').startsWith(shardLogsPrefix('b1')), 'deleting the shard logs keeps the input');
  assert.ok(!batchInputKey('b10').startsWith(batchPrefix('b1')), 'one batch prefix never covers another batch');
});
