// Duplicate keys by their two 32-bit hashes: only lines sharing both hashes are candidates (in
// any bucket, across growth, for the largest hash values), and distinct keys (hashed by
// line-facts.ts) do not collide.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KeyHashFinder } from './key-hash-finder.js';
import { hashKey } from './line-facts.js';

test('lines are candidates only when both hashes match another line', async () => {
  const finder = new KeyHashFinder();
  // Pairs that differ in one hash only.
  finder.add(1, 10, 1);
  finder.add(1, 10 + 2 ** 20, 2);
  finder.add(2, 20, 3);
  finder.add(2 + 2 ** 20, 20, 4);
  finder.add(5, 50, 5);
  finder.add(5, 51, 7);
  finder.add(0xffffffff, 0xffffffff, 8);
  finder.add(5, 50, 9);
  for (let index = 0; index < 5000; index++) finder.add(1000 + index, index, 100 + index);
  finder.add(0x80000000, 1, 6000);
  finder.add(5, 50, 12);
  finder.add(0xffffffff, 0xffffffff, 6001);
  assert.deepEqual([...(await finder.candidateLines())].sort((a, b) => a - b), [5, 8, 9, 12, 6001]);
});

test('distinct keys do not share a 64-bit hash; equal keys do', async () => {
  const finder = new KeyHashFinder();
  const hashes = new Uint32Array(2);
  const keys = [...Array.from({ length: 200_000 }, (_, index) => `k${index}`), 'k123', 'ключ', 'ключ', '', 'a'.repeat(1000)];
  keys.forEach((key, index) => {
    hashKey(key, hashes, 0);
    finder.add(hashes[0]!, hashes[1]!, index + 1);
  });
  assert.deepEqual([...(await finder.candidateLines())].sort((a, b) => a - b), [124, 200_001, 200_002, 200_003]);
});
