import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodePageToken, parsePageSize, parsePageToken, withNextPageToken } from './pagination.js';

const limits = { pageSize: 10, maxPageSize: 100 };

test('page size: default, snake_case, clamp, and errors', () => {
  assert.equal(parsePageSize(new URL('http://h/x'), limits), 10);
  assert.equal(parsePageSize(new URL('http://h/x?page_size=5'), limits), 5);
  assert.equal(parsePageSize(new URL('http://h/x?pageSize=5000'), limits), 100);
  assert.throws(() => parsePageSize(new URL('http://h/x?pageSize=-1'), limits), /pageSize/);
  assert.throws(() => parsePageSize(new URL('http://h/x?pageSize=abc'), limits), /pageSize/);
});

test('page tokens round-trip and garbage is refused', () => {
  const token = encodePageToken({ createTimeMs: 42, id: 'abc' });
  assert.deepEqual(parsePageToken(new URL(`http://h/x?pageToken=${token}`)), { createTimeMs: 42, id: 'abc' });
  assert.equal(parsePageToken(new URL('http://h/x?pageToken=')), undefined);
  assert.throws(() => parsePageToken(new URL('http://h/x?pageToken=garbage')), /Invalid pageToken/);
});

test('the last page has no nextPageToken key at all', () => {
  assert.deepEqual(withNextPageToken({ files: [] }, undefined), { files: [] });
  assert.ok('nextPageToken' in withNextPageToken({ files: [] }, { createTimeMs: 1, id: 'a' }));
});
