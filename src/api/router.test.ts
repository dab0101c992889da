import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AppError } from '../core/errors.js';
import { matchRoute, type Route } from './router.js';

const routes: Route[] = [
  { methods: ['GET'], pattern: /^\/v1beta\/batches\/(?<batchId>[^/:]+)$/, handler: async () => undefined },
  { methods: ['POST'], pattern: /^\/v1beta\/models\/(?<model>[^/:]+):generateContent$/, handler: async () => undefined },
];

test('path parameters are percent-decoded', () => {
  const match = matchRoute(routes, 'GET', '/v1beta/batches/a%20b%C3%A9');
  assert.equal(match.kind, 'found');
  assert.deepEqual(match.kind === 'found' && match.params, { batchId: 'a bé' });
});

test('a bad percent-escape is a 400 naming the parameter, not a URIError', () => {
  for (const [path, name] of [['/v1beta/batches/%E0%A4%A', 'batchId'], ['/v1beta/batches/%', 'batchId'], ['/v1beta/models/%ZZ:generateContent', 'model']] as const) {
    assert.throws(
      () => matchRoute(routes, path.includes('models') ? 'POST' : 'GET', path),
      (error: unknown) => error instanceof AppError && error.httpStatus === 400 && error.message.includes(`'${name}'`),
    );
  }
});

test('a control character once decoded is refused; the echoed input is shortened', () => {
  assert.throws(() => matchRoute(routes, 'GET', '/v1beta/batches/a%00b'), /contains a control character/);
  assert.throws(() => matchRoute(routes, 'GET', '/v1beta/batches/a%7F'), /contains a control character/);
  assert.throws(() => matchRoute(routes, 'GET', `/v1beta/batches/${'%E0'.repeat(1000)}`), (error: unknown) => error instanceof Error && error.message.length < 200);
});

test('a wrong method reports the allowed ones; the method is checked before the parameters are decoded', () => {
  assert.deepEqual(matchRoute(routes, 'DELETE', '/v1beta/batches/%E0'), { kind: 'method-not-allowed', allowed: ['GET'] });
  assert.deepEqual(matchRoute(routes, 'GET', '/nowhere'), { kind: 'not-found' });
});
