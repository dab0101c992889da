import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normalizeKeys } from './normalize-keys.js';

test('snake_case keys become camelCase at any depth, mixed styles included', () => {
  assert.deepEqual(normalizeKeys({ file: { display_name: 'x', mimeType: 'y', size_bytes: '3' } }), {
    file: { displayName: 'x', mimeType: 'y', sizeBytes: '3' },
  });
  assert.deepEqual(normalizeKeys({ a_list: [{ b_c: 1 }] }), { aList: [{ bC: 1 }] });
});

test('keys inside free-form values are left alone', () => {
  const body = { metadata: { my_key: 1 }, generation_config: { response_schema: { properties: { first_name: {} } } } };
  assert.deepEqual(normalizeKeys(body), {
    metadata: { my_key: 1 },
    generationConfig: { responseSchema: { properties: { first_name: {} } } },
  });
});
