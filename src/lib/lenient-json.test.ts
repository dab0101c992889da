import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LenientJsonError, nestingBeyond, parseLenientJson } from './lenient-json.js';

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

test('nesting deeper than the limit is refused on the strict and the lenient path, without a stack overflow', () => {
  const deep = (levels: number, open: string, close: string, inner = ''): string => open.repeat(levels) + inner + close.repeat(levels);
  for (const text of [deep(100_000, '[', ']'), `{"a":${deep(100_000, '[', ']')}}`, deep(100_000, "{'a':", '}', '1'), deep(100_000, '[', '')]) {
    assert.throws(() => parseLenientJson(text), (error: unknown) => error instanceof LenientJsonError && /nesting deeper than 512 levels/.test(error.message));
  }
  assert.equal((parseLenientJson(deep(512, '[', ']')) as unknown[]).length, 1);
  assert.throws(() => parseLenientJson(deep(513, '[', ']')), /nesting deeper than 512 levels at position 512/);
  assert.throws(() => parseLenientJson(deep(4, '{a:', '}', '1'), 3), /nesting deeper than 3 levels/);
  assert.deepEqual(parseLenientJson(deep(3, '{a:', '}', '1'), 3), { a: { a: { a: 1 } } });
});

test('brackets inside strings do not count as nesting', () => {
  const brackets = '['.repeat(2000);
  assert.deepEqual(parseLenientJson(JSON.stringify({ text: brackets, quoted: `\\"${brackets}` })), { text: brackets, quoted: `\\"${brackets}` });
  assert.deepEqual(parseLenientJson(`{'text': '${brackets}'}`), { text: brackets });
});

test('nestingBeyond finds the first bracket past the limit in strict JSON', () => {
  assert.equal(nestingBeyond('{"a":[[1]]}', 3), -1);
  assert.equal(nestingBeyond('{"a":[[[1]]]}', 3), 7);
  assert.equal(nestingBeyond('{"a":"[[[[\\"[[[["}', 3), -1);
});
