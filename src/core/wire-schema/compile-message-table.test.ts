import assert from 'node:assert/strict';
import { test } from 'node:test';
import { camelToSnake, compileMessageTable } from './compile-message-table.js';
import { MESSAGE_TABLE, MESSAGE_TYPE_NAMES } from './message-table.js';
import type { MessageFields, MessageTypeName } from './message-table.js';

test('snake_case spelling puts an underscore before each capital', () => {
  assert.equal(camelToSnake('thinkingConfig'), 'thinking_config');
  assert.equal(camelToSnake('topK'), 'top_k');
  assert.equal(camelToSnake('includeServerSideToolInvocations'), 'include_server_side_tool_invocations');
  assert.equal(camelToSnake('_responseJsonSchema'), '_response_json_schema');
  assert.equal(camelToSnake('text'), 'text');
});

test('the real table compiles, with both spellings of each field leading to the same entry', () => {
  const compiled = compileMessageTable(MESSAGE_TABLE);
  assert.deepEqual(Object.keys(compiled).sort(), [...MESSAGE_TYPE_NAMES].sort());
  const thinking = compiled.GenerationConfig.fields.get('thinking_config');
  assert.equal(thinking, compiled.GenerationConfig.fields.get('thinkingConfig'));
  assert.equal(thinking?.kind, 'message');
  assert.equal(thinking?.kind === 'message' ? thinking.message : undefined, compiled.ThinkingConfig);
  assert.equal(compiled.Content.fields.get('parts')?.isRepeated, true);
});

/** A table that is the real one except for one message. */
const tableWith = (typeName: MessageTypeName, fields: Record<string, string>): Readonly<Record<MessageTypeName, MessageFields>> =>
  ({ ...MESSAGE_TABLE, [typeName]: fields as MessageFields });

test('a table naming an unknown type, or two fields with one spelling, does not compile', () => {
  assert.throws(() => compileMessageTable(tableWith('Blob', { data: 'Nope' })), /unknown type Nope/);
  assert.throws(() => compileMessageTable(tableWith('Blob', { fooBar: 'string', foo_bar: 'string' })), /two fields spelled foo_bar/);
});
