import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loggableUri } from './attempt-delivery.js';

test('a receiver URI is logged without its query, fragment or credentials', () => {
  assert.equal(loggableUri('https://user:secret@hooks.example.com:8443/batch/done?token=abc#x'), 'https://hooks.example.com:8443/batch/done');
  assert.equal(loggableUri('http://10.0.0.5/hook'), 'http://10.0.0.5/hook');
  assert.equal(loggableUri('not a uri'), '(not a URL)');
});
