import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_REQUEST_ID_LENGTH, requestIdOf, traceContextOf } from './request-trace.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

test("a sane X-Request-Id is kept as it is", () => {
  for (const id of ['abc', 'req-42', 'a1b2c3d4-e5f6-7a8b-9c0d-ef1234567890', 'Root=1-65a1b2c3-abcdef012345678901234567', 'svc/edge:7@eu~1+x=y_z.q', 'x'.repeat(MAX_REQUEST_ID_LENGTH)]) {
    assert.equal(requestIdOf({ 'x-request-id': id }), id);
  }
});

test('an absent, empty, too long or unsafe X-Request-Id is replaced by a new UUID', () => {
  const refused = ['', 'x'.repeat(MAX_REQUEST_ID_LENGTH + 1), 'has space', 'quote"d', 'new\nline', 'tab\t', '{"json":1}', 'a,b', 'é', '<script>'];
  for (const id of [undefined, ...refused]) {
    const result = requestIdOf(id === undefined ? {} : { 'x-request-id': id });
    assert.match(result, UUID, `${JSON.stringify(id)} → ${result}`);
  }
  assert.notEqual(requestIdOf({}), requestIdOf({}), 'a fresh one each time');
});

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT_ID = '00f067aa0ba902b7';

test('a valid traceparent gives its trace id and parent id, and the header to echo', () => {
  assert.deepEqual(traceContextOf({ traceparent: `00-${TRACE_ID}-${PARENT_ID}-01` }), {
    traceparent: `00-${TRACE_ID}-${PARENT_ID}-01`, traceId: TRACE_ID, parentId: PARENT_ID,
  });
  assert.equal(traceContextOf({ traceparent: `00-${TRACE_ID}-${PARENT_ID}-00` })?.traceId, TRACE_ID, 'not sampled is still valid');
  assert.equal(traceContextOf({ traceparent: `cc-${TRACE_ID}-${PARENT_ID}-01-what-the-future-adds` })?.traceId, TRACE_ID, 'a later version may append fields');
  assert.equal(traceContextOf({ traceparent: ` 00-${TRACE_ID}-${PARENT_ID}-01 ` })?.traceparent, `00-${TRACE_ID}-${PARENT_ID}-01`, 'surrounding spaces dropped');
});

test('an invalid traceparent is ignored', () => {
  for (const header of [
    undefined,
    '',
    'garbage',
    `00-${TRACE_ID.toUpperCase()}-${PARENT_ID}-01`,
    `00-${'0'.repeat(32)}-${PARENT_ID}-01`,
    `00-${TRACE_ID}-${'0'.repeat(16)}-01`,
    `ff-${TRACE_ID}-${PARENT_ID}-01`,
    `00-${TRACE_ID}-${PARENT_ID}-01-extra`,
    `00-${TRACE_ID.slice(1)}-${PARENT_ID}-01`,
    `00-${TRACE_ID}-${PARENT_ID}-1`,
    `00-${TRACE_ID}-${PARENT_ID}-01, 00-${TRACE_ID}-${PARENT_ID}-01`,
    `cc-${TRACE_ID}-${PARENT_ID}-01-${'x'.repeat(600)}`,
  ]) {
    assert.equal(traceContextOf(header === undefined ? {} : { traceparent: header }), undefined, String(header));
  }
});
