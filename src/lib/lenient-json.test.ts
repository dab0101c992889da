import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LenientJsonError, parseLenientJson } from './lenient-json.js';

test('strict JSON parses as JSON', () => {
  assert.deepEqual(parseLenientJson('{"a":[1,2.5,"x",null,true]}'), { a: [1, 2.5, 'x', null, true] });
});

test("the guide's single-quoted upload start body", () => {
  assert.deepEqual(parseLenientJson("{'file': {'display_name': 'BatchInput'}}"), {
    file: { display_name: 'BatchInput' },
  });
});

test("the guide's batch create body with an unquoted, shell-expanded file name", () => {
  const body = "{ 'batch': { 'display_name': 'my-batch-requests', 'input_config': { 'requests': { 'file_name': files/123456 } } } }";
  assert.deepEqual(parseLenientJson(body), {
    batch: { display_name: 'my-batch-requests', input_config: { requests: { file_name: 'files/123456' } } },
  });
});

test('unquoted keys, trailing commas, comments and escapes', () => {
  assert.deepEqual(parseLenientJson("{a: 'it\\'s', /* c */ b: [1, 2,], // end\n}"), { a: "it's", b: [1, 2] });
  assert.deepEqual(parseLenientJson("'\\u0041\\n'"), 'A\n');
});

test('a __proto__ key stays an own property and does not change the prototype', () => {
  const value = parseLenientJson("{'__proto__': {'polluted': true}}") as Record<string, unknown>;
  assert.equal(Object.getPrototypeOf(value), Object.prototype);
  assert.deepEqual(Object.keys(value), ['__proto__']);
});

test('broken input throws a positioned error', () => {
  assert.throws(() => parseLenientJson("{'a': 'unterminated"), LenientJsonError);
  assert.throws(() => parseLenientJson('{"a" 1}'), /expected ':'/);
  assert.throws(() => parseLenientJson('{"a": 1} x'), /unexpected 'x'/);
  assert.throws(() => parseLenientJson(''), /unexpected end/);
  assert.throws(() => parseLenientJson('[1,'), LenientJsonError);
});
