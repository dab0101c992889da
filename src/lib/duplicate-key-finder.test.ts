import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DuplicateKeyFinder } from './duplicate-key-finder.js';

test('duplicate keys are always among the candidates; distinct keys rarely are', () => {
  const finder = new DuplicateKeyFinder();
  for (let line = 1; line <= 50_000; line++) finder.add(`request-${line}`, line);
  finder.add('request-77', 50_001);
  finder.add('request-9', 50_002);
  const candidates = finder.candidateLines();
  for (const line of [77, 50_001, 9, 50_002]) assert.ok(candidates.has(line), `line ${line}`);
  assert.ok(candidates.size < 20, `few false candidates (${candidates.size})`);
});

test('no keys, no candidates', () => {
  assert.equal(new DuplicateKeyFinder().candidateLines().size, 0);
});
