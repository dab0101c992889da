// Tests of lib/glob.ts: `*` spans any run of characters, everything else (RegExp syntax too) is literal.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { globToRegExp, isGlob } from './glob.js';

test('* matches any run, the rest matches itself, the whole name only', () => {
  const pattern = globToRegExp('gemini-*-flash');
  assert.equal(pattern.test('gemini-2.5-flash'), true);
  assert.equal(pattern.test('gemini--flash'), true);
  assert.equal(pattern.test('x-gemini-2.5-flash'), false);
  assert.equal(pattern.test('gemini-2.5-flash-lite'), false);
  assert.equal(globToRegExp('a.b+c').test('a.b+c'), true);
  assert.equal(globToRegExp('a.b+c').test('axbbc'), false);
  assert.equal(globToRegExp('*').test(''), true);
});

test('isGlob tells a glob from an exact name', () => {
  assert.equal(isGlob('gemini-*'), true);
  assert.equal(isGlob('gemini-2.5-flash'), false);
});
