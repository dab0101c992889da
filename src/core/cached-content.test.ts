import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AppError } from './errors.js';
import { cachedContentIdOf, parseDuration, parseTimestamp } from './cached-content.js';

const refusal = (run: () => unknown): string => {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof AppError);
    assert.equal(error.httpStatus, 400);
    return error.message;
  }
  assert.fail('expected a refusal');
};

test('parseDuration reads proto Duration strings in seconds, fractions to the millisecond', () => {
  assert.equal(parseDuration('3600s', 'ttl'), 3_600_000);
  assert.equal(parseDuration('1.5s', 'ttl'), 1_500);
  assert.equal(parseDuration(' 90.25s ', 'ttl'), 90_250);
  for (const bad of ['3600', '1h', '-5s', '', 3600, null, '0s']) {
    assert.match(refusal(() => parseDuration(bad, 'ttl')), /^ttl must be/);
  }
});

test('parseTimestamp reads RFC 3339 with any offset and refuses other dates, naming the field', () => {
  assert.equal(parseTimestamp('2026-01-01T00:00:00Z', 'expireTime'), Date.UTC(2026, 0, 1));
  assert.equal(parseTimestamp('2026-01-01T02:00:00.250+02:00', 'expireTime'), Date.UTC(2026, 0, 1) + 250);
  for (const bad of ['2026-01-01', 'tomorrow', '2026-13-01T00:00:00Z', 5]) {
    assert.match(refusal(() => parseTimestamp(bad, 'expireTime')), /^expireTime must be an RFC 3339 timestamp/);
  }
});

test('cachedContentIdOf takes the full name or a bare id, nothing else', () => {
  assert.equal(cachedContentIdOf('cachedContents/abc123'), 'abc123');
  assert.equal(cachedContentIdOf('abc123'), 'abc123');
  assert.equal(cachedContentIdOf('cachedContents/'), undefined);
  assert.equal(cachedContentIdOf('cachedContents/a/b'), undefined);
  assert.equal(cachedContentIdOf('files/ABC'), undefined);
});
