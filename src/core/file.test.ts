import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AppError } from './errors.js';
import { fileIdFromReference, parseClientFileId } from './file.js';

test('client file ids follow the Gemini rule', () => {
  assert.equal(parseClientFileId('files/my-file-1'), 'my-file-1');
  assert.equal(parseClientFileId('abc'), 'abc');
  assert.equal(parseClientFileId('a'.repeat(40)), 'a'.repeat(40));
  for (const bad of ['-abc', 'abc-', 'ABC', 'a_b', 'a'.repeat(41), '', 'files/']) {
    assert.throws(() => parseClientFileId(bad), (error: unknown) => error instanceof AppError && error.status === 'INVALID_ARGUMENT', bad);
  }
});

test('file references in every form resolve to the id', () => {
  assert.equal(fileIdFromReference('files/abc123'), 'abc123');
  assert.equal(fileIdFromReference('abc123'), 'abc123');
  assert.equal(fileIdFromReference('https://host:8080/v1beta/files/abc123'), 'abc123');
  assert.equal(fileIdFromReference('https://host/download/v1beta/files/batch-x1:download?alt=media'), 'batch-x1');
});
