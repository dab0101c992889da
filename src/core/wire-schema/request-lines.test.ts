import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { test } from 'node:test';
import { formatLineError } from './describe-line-error.js';
import { parseBatchLine } from './request-lines.js';
import { WireSchemaError } from './wire-schema-error.js';
import type { WireSchemaErrorReason } from './wire-schema-error.js';

function assertLineRejected(
  text: string,
  kind: 'generate' | 'embed',
  expected: { reason: WireSchemaErrorReason; fieldPath?: string; message?: string | RegExp },
): void {
  assert.throws(() => parseBatchLine(text, kind), (error: unknown) => {
    assert.ok(error instanceof WireSchemaError, `expected a WireSchemaError, got ${String(error)}`);
    assert.equal(error.reason, expected.reason);
    if (expected.fieldPath !== undefined) assert.equal(error.fieldPath, expected.fieldPath);
    if (typeof expected.message === 'string') assert.equal(error.message, expected.message);
    else if (expected.message !== undefined) assert.match(error.message, expected.message);
    return true;
  });
}

test('the guide\'s wrapped JSONL line parses, snake_case config included', () => {
  const line = '{"key": "request-1", "request": {"contents": [{"parts": [{"text": "Describe the process of photosynthesis."}]}], "generation_config": {"temperature": 0.7}}}';
  assert.deepEqual(parseBatchLine(line, 'generate'), {
    key: 'request-1',
    request: { contents: [{ parts: [{ text: 'Describe the process of photosynthesis.' }] }], generationConfig: { temperature: 0.7 } },
  });
});

test('the guide\'s bare request line parses, with no key', () => {
  const line = '{"contents": [{"parts": [{"text": "Describe the process of photosynthesis."}]}], "generationConfig": {"temperature": 0.7}}';
  const parsed = parseBatchLine(line, 'generate');
  assert.deepEqual(parsed, {
    request: { contents: [{ parts: [{ text: 'Describe the process of photosynthesis.' }] }], generationConfig: { temperature: 0.7 } },
  });
  assert.equal('key' in parsed, false);
});

test('thinking_config inside generationConfig parses (seen in production)', () => {
  const line = '{"key":"k","request":{"contents":[{"role":"user","parts":[{"text":"hi"}]}],"generationConfig":{"thinking_config":{"thinking_budget":0}}}}';
  assert.deepEqual(parseBatchLine(line, 'generate').request.generationConfig, { thinkingConfig: { thinkingBudget: 0 } });
});

test('wrapper metadata is kept verbatim, snake_case keys included; null key and metadata are absent', () => {
  const line = '{"request": {"contents": [{"parts": [{"text": "x"}]}]}, "metadata": {"user_id": 7, "tags": ["a_b"]}}';
  assert.deepEqual(parseBatchLine(line, 'generate'), {
    request: { contents: [{ parts: [{ text: 'x' }] }] },
    metadata: { user_id: 7, tags: ['a_b'] },
  });
  assert.deepEqual(parseBatchLine('{"key": null, "request": {"contents": [{"parts": [{"text": "x"}]}]}, "metadata": null}', 'generate'), {
    request: { contents: [{ parts: [{ text: 'x' }] }] },
  });
});

test('embed lines, wrapped and bare', () => {
  assert.deepEqual(parseBatchLine('{"key":"e1","request":{"content":{"parts":[{"text":"a"}]},"task_type":"RETRIEVAL_DOCUMENT","output_dimensionality":8}}', 'embed'), {
    key: 'e1',
    request: { content: { parts: [{ text: 'a' }] }, taskType: 'RETRIEVAL_DOCUMENT', outputDimensionality: 8 },
  });
  assert.deepEqual(parseBatchLine('{"content":{"role":"user","parts":[{"text":"b"}]}}', 'embed'), {
    request: { content: { role: 'user', parts: [{ text: 'b' }] } },
  });
});

test('a byte-order mark before the first line is ignored', () => {
  assert.deepEqual(parseBatchLine('\uFEFF{"contents":[{"parts":[{"text":"x"}]}]}', 'generate').request, { contents: [{ parts: [{ text: 'x' }] }] });
});

type Rejection = [text: string, expected: { reason: WireSchemaErrorReason; fieldPath?: string; message?: string | RegExp }, kind?: 'generate' | 'embed'];

/** Test name: the lines it rejects, each with what the error must say (generate lines unless a kind is given). */
const rejections: Record<string, Rejection[]> = {
  'invalid JSON is reported with the parser\'s message': [
    ['{"key": "a", "request": {', { reason: 'invalid JSON', message: /^invalid JSON: .+/ }],
    ["{'contents': []}", { reason: 'invalid JSON', message: /^invalid JSON: .+/ }],
    ['', { reason: 'invalid JSON', message: /^invalid JSON: .+/ }],
  ],
  'a line that is not an object is rejected': [
    ['[1, 2]', { reason: 'invalid value', message: 'each line must be a JSON object, got an array' }],
    ['"hello"', { reason: 'invalid value', message: 'each line must be a JSON object, got a string' }],
  ],
  'unknown wrapper fields are rejected as `no such field`': [
    ['{"key": "a", "request": {"contents": [{"parts": [{"text": "x"}]}]}, "priority": 1}', { reason: 'unknown field', fieldPath: 'priority', message: "no such field: 'priority'" }],
    ['{"request": {"contents": [{"parts": [{"text": "x"}]}]}, "generation_config": {}}', { reason: 'unknown field', message: "no such field: 'generation_config'" }],
  ],
  'a top-level thinking_config is an unknown field, in wrapped and bare lines': [
    ['{"key": "a", "request": {"contents": [{"parts": [{"text": "x"}]}], "thinking_config": {"thinking_budget": 0}}}', {
      reason: 'unknown field',
      fieldPath: 'request.thinking_config',
      message: 'Invalid JSON payload received. Unknown name "thinking_config" at \'request\': Cannot find field.',
    }],
    ['{"contents": [{"parts": [{"text": "x"}]}], "temperature": 0.2}', {
      reason: 'unknown field',
      fieldPath: 'temperature',
      message: 'Invalid JSON payload received. Unknown name "temperature": Cannot find field.',
    }],
    ['{"key": "k", "contents": [{"parts": [{"text": "x"}]}]}', { reason: 'unknown field', fieldPath: 'key' }],
  ],
  'a generate request needs non-empty contents': [
    ['{"key": "a", "request": {"generation_config": {"temperature": 1}}}', { reason: 'missing required field', fieldPath: 'request.contents', message: "missing required field 'contents'" }],
    ['{"contents": null}', { reason: 'missing required field', fieldPath: 'contents', message: "missing required field 'contents'" }],
    ['{"key": "a", "request": {"contents": []}}', { reason: 'empty field', fieldPath: 'request.contents', message: "'contents' must not be empty" }],
    ['{"key": "a", "request": null}', { reason: 'missing required field', message: "missing required field 'request'" }],
    ['{"key": "a", "request": "hi"}', { reason: 'invalid value', fieldPath: 'request' }],
  ],
  'an embed request needs content with parts, and is not a generate request': [
    ['{"request": {"task_type": "RETRIEVAL_QUERY"}}', { reason: 'missing required field', message: "missing required field 'content'" }, 'embed'],
    ['{"request": {"content": {"role": "user"}}}', { reason: 'missing required field', fieldPath: 'request.content.parts', message: "missing required field 'content.parts'" }, 'embed'],
    ['{"request": {"content": {"parts": []}}}', { reason: 'empty field', message: "'content.parts' must not be empty" }, 'embed'],
    ['{"request": {"contents": [{"parts": [{"text": "x"}]}]}}', { reason: 'unknown field', fieldPath: 'request.contents' }, 'embed'],
  ],
  'the key must be a string': [
    ['{"key": 1, "request": {"contents": [{"parts": [{"text": "x"}]}]}}', { reason: 'invalid value', fieldPath: 'key', message: "'key' must be a string, got number 1" }],
    ['{"key": {"id": 1}, "request": {"contents": [{"parts": [{"text": "x"}]}]}}', { reason: 'invalid value', fieldPath: 'key' }],
  ],
};

for (const [name, cases] of Object.entries(rejections)) {
  test(name, () => {
    for (const [text, expected, kind = 'generate'] of cases) assertLineRejected(text, kind, expected);
  });
}

test('formatLineError numbers lines from 1 and carries the message', () => {
  const errors: string[] = [];
  const lines = ['{"contents":[{"parts":[{"text":"ok"}]}]}', '{"contents":[], "thinking_config":{}}', 'not json'];
  lines.forEach((line, index) => {
    try {
      parseBatchLine(line, 'generate');
    } catch (error) {
      errors.push(formatLineError(index + 1, error));
    }
  });
  assert.equal(errors.length, 2);
  assert.equal(errors[0], 'Error on line 2: Invalid JSON payload received. Unknown name "thinking_config": Cannot find field.');
  assert.match(errors[1]!, /^Error on line 3: invalid JSON: /);
  assert.equal(formatLineError(7, 'plain'), 'Error on line 7: plain');
});

test('throughput on typical small lines (reported, not asserted)', (context) => {
  const count = 100_000;
  const lines: string[] = [];
  for (let index = 0; index < count; index++) {
    lines.push(index % 2 === 0
      ? `{"key": "request-${index}", "request": {"contents": [{"role": "user", "parts": [{"text": "Summarise item ${index} in one sentence."}]}], "generation_config": {"temperature": 0.7, "max_output_tokens": 256, "thinking_config": {"thinking_budget": 0}}}}`
      : `{"key": "request-${index}", "request": {"systemInstruction": {"parts": [{"text": "Be brief."}]}, "contents": [{"role": "user", "parts": [{"text": "Question ${index}?"}]}], "generationConfig": {"temperature": 0.2, "responseMimeType": "application/json"}}, "metadata": {"row": ${index}}}`);
  }
  for (let index = 0; index < 20_000; index++) parseBatchLine(lines[index]!, 'generate');
  const started = performance.now();
  let parsed = 0;
  for (const line of lines) {
    if (parseBatchLine(line, 'generate').request.contents.length > 0) parsed++;
  }
  const seconds = (performance.now() - started) / 1000;
  assert.equal(parsed, count);
  context.diagnostic(`parseBatchLine: ${Math.round(count / seconds).toLocaleString('en')} lines/s (JSON.parse included) over ${count.toLocaleString('en')} lines`);
});

test('a line nested deeper than 512 levels is refused where it is parsed, not when it runs', () => {
  const deep = `{"request":{"contents":[{"parts":[{"functionCall":{"name":"f","args":{"a":${'['.repeat(100_000)}${']'.repeat(100_000)}}}}]}]}}`;
  assert.throws(() => parseBatchLine(deep, 'generate'), /nests deeper than 512 levels/);
});
