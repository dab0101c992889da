import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { matchRoute, type Route } from '../router.js';
import { bareId, idSegment, openAIPath } from './paths.js';

const handler = async (): Promise<void> => undefined;
const routes: Route[] = [
  // Native, as a later version might serve them on /v1 too.
  { methods: ['GET'], pattern: /^\/(?:v1beta|v1)\/files$/, handler },
  { methods: ['GET', 'POST'], pattern: /^\/(?:v1beta|v1)\/webhooks$/, handler },
  { methods: ['GET'], pattern: openAIPath('files'), handler, surface: 'openai' },
  { methods: ['POST'], pattern: openAIPath('batches'), handler, surface: 'openai' },
  { methods: ['GET'], pattern: openAIPath(`batches/${idSegment('batches', 'batchId')}`), handler, surface: 'openai' },
];
const surfaceOf = (path: string, method = 'GET', openAIRequest = false): string | undefined => {
  const match = matchRoute(routes, method, path, { openAIRequest });
  return match.kind === 'found' ? (match.route.surface ?? 'native') : `${match.kind}:${match.surface ?? 'native'}`;
};

describe('the OpenAI surface in the router', () => {
  test('Google\'s root is always OpenAI\'s', () => {
    assert.equal(surfaceOf('/v1beta/openai/files'), 'openai');
    assert.equal(surfaceOf('/v1beta/openai/files', 'GET', true), 'openai');
    assert.equal(surfaceOf('/v1beta/files'), 'native');
  });

  test('on /v1/, a shared path is OpenAI\'s only for a Bearer-only request', () => {
    assert.equal(surfaceOf('/v1/files', 'GET', true), 'openai');
    assert.equal(surfaceOf('/v1/files', 'GET', false), 'native');
  });

  test('on /v1/, a path only OpenAI has is OpenAI\'s whatever the credentials', () => {
    assert.equal(surfaceOf('/v1/batches', 'POST', false), 'openai');
    assert.equal(surfaceOf('/v1/batches/abc', 'GET', false), 'openai');
    assert.equal(surfaceOf('/v1/webhooks', 'GET', true), 'native');
  });

  test('unknown paths and wrong methods answer in the shape of their surface', () => {
    assert.equal(surfaceOf('/v1beta/openai/nothing'), 'not-found:openai');
    assert.equal(surfaceOf('/v1beta/openai'), 'not-found:openai');
    assert.equal(surfaceOf('/v1/nothing', 'GET', true), 'not-found:openai');
    assert.equal(surfaceOf('/v1/nothing', 'GET', false), 'not-found:native');
    assert.equal(surfaceOf('/v1beta/nothing', 'GET', true), 'not-found:native');
    assert.equal(surfaceOf('/v1beta/openai/batches', 'DELETE'), 'method-not-allowed:openai');
    assert.deepEqual(matchRoute(routes, 'DELETE', '/v1beta/openai/batches'), { kind: 'method-not-allowed', allowed: ['POST'], surface: 'openai' });
  });

  test('an id path parameter takes the prefixed id, literal or percent-encoded, and the bare one', () => {
    for (const path of ['/v1/batches/batches/abc', '/v1/batches/batches%2Fabc', '/v1/batches/abc']) {
      const match = matchRoute(routes, 'GET', path);
      assert.equal(match.kind, 'found', path);
      assert.equal(bareId('batches', match.kind === 'found' ? match.params.batchId : ''), 'abc', path);
    }
  });
});
