// Tests of the command line's option parsing and of mapping the server's line errors back to the user's input lines.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lineErrorsOf, formatUsd } from './estimate.js';
import { CliExit } from './exit-codes.js';
import { batchOptionsOf, convertOptionsOf, parseDurationSeconds, parseMetadata } from './input-options.js';

const usage = (fn: () => unknown, pattern: RegExp): void => assert.throws(fn, (error: unknown) => error instanceof CliExit && error.code === 2 && pattern.test(error.message));

test('--completion-window takes days, hours, minutes, seconds and their sums', () => {
  assert.deepEqual(['36h', '90m', '3600s', '2d', '1h30m', '600'].map(parseDurationSeconds), [129_600, 5400, 3600, 172_800, 5400, 600]);
  for (const bad of ['soon', '0s', '-5m', '1w', '']) usage(() => parseDurationSeconds(bad), /--completion-window/);
});

test('--metadata key=value pairs (the value may hold "="); --priority, --dimensions, --format checked', () => {
  assert.deepEqual(parseMetadata(['run=7', 'expr=a=b', 'empty=']), { run: '7', expr: 'a=b', empty: '' });
  usage(() => parseMetadata(['novalue']), /expected key=value/);
  usage(() => parseMetadata(['=x']), /expected key=value/);
  assert.deepEqual(batchOptionsOf({ priority: '-3', completionWindow: '2h', displayName: 'n' }), { displayName: 'n', priority: -3, completionWindowSeconds: 7200 });
  usage(() => batchOptionsOf({ priority: '1.5' }), /--priority: not an integer/);
  assert.deepEqual(convertOptionsOf({ dimensions: '256', metadata: ['a=b'] }), { dimensions: 256, metadata: { a: 'b' } });
  usage(() => convertOptionsOf({ dimensions: '0' }), /--dimensions: not a positive integer/);
  usage(() => convertOptionsOf({ format: 'xml' as never }), /--format: must be jsonl, text or csv/);
});

test("the server's `Error on line N` are renumbered to the input's lines, inside the message too", () => {
  const message = "batches.validate: 400 INVALID_ARGUMENT: Error on line 1: invalid JSON\nError on line 3: the key 'a' is already used on line 2\n(only the first 100 problems are listed)";
  const { errors, note } = lineErrorsOf(message, (n) => n * 10);
  assert.deepEqual(errors, [{ line: 10, message: 'invalid JSON' }, { line: 30, message: "the key 'a' is already used on line 20" }]);
  assert.equal(note, '(only the first 100 problems are listed)');
  assert.deepEqual(lineErrorsOf('batches.validate: 400 INVALID_ARGUMENT: models/x does not support it', (n) => n).errors, []);
});

test('costs are shown with enough digits to be seen', () => {
  assert.deepEqual([0, 0.000123, 0.5, 12.345].map(formatUsd), ['$0', '$0.00012', '$0.50', '$12.35']);
});
