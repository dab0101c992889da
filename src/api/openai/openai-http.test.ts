/**
 * The OpenAI surface's HTTP rules against a real server in process (real HTTP): both roots,
 * Bearer keys (and Gemini keys) on OpenAI routes, OpenAI-shaped errors for auth failures,
 * unknown paths, wrong methods, bad parameters and refused bodies, and the native API unchanged
 * beside it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startInProcessServer } from '../../../test/support/in-process-server.js';

const KEY = 'openai-http-key';
type Server = Awaited<ReturnType<typeof startInProcessServer>>;

interface Answer {
  status: number;
  type: string;
  body: Record<string, unknown>;
}

/** The OpenAI error body `{error: {message, type, param, code}}`, checked for shape. */
function openAIError(answer: Answer): { message: string; type: string; param: string | null; code: string | null } {
  assert.match(answer.type, /^application\/json/);
  const error = answer.body.error as Record<string, unknown>;
  assert.deepEqual(Object.keys(error).sort(), ['code', 'message', 'param', 'type'], JSON.stringify(answer.body));
  return error as { message: string; type: string; param: string | null; code: string | null };
}

describe('the OpenAI surface over HTTP', () => {
  let server: Server;
  const call = async (method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<Answer> => {
    const response = await fetch(`${server.url}${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
    const text = await response.text();
    return { status: response.status, type: response.headers.get('content-type') ?? '', body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  };
  const bearer = { authorization: `Bearer ${KEY}` };

  before(async () => {
    server = await startInProcessServer({ apiKeys: KEY });
  });
  after(async () => server.close());

  test('both roots serve the same routes with a Bearer key, or a Gemini key', async () => {
    for (const root of ['/v1beta/openai', '/v1']) {
      for (const headers of [bearer, { 'x-goog-api-key': KEY }]) {
        const answer = await call('GET', `${root}/batches`, headers);
        assert.equal(answer.status, 200, `${root} ${JSON.stringify(answer.body)}`);
        assert.deepEqual(answer.body, { object: 'list', data: [], first_id: null, last_id: null, has_more: false });
      }
    }
    assert.equal((await call('GET', `/v1beta/openai/batches?key=${KEY}`)).status, 200);
  });

  test('a missing or wrong key is a 401 authentication_error', async () => {
    for (const root of ['/v1beta/openai', '/v1']) {
      const missing = await call('GET', `${root}/files`);
      assert.equal(missing.status, 401);
      assert.equal(openAIError(missing).type, 'authentication_error');
      const wrong = await call('GET', `${root}/files`, { authorization: 'Bearer nope' });
      assert.equal(wrong.status, 401);
      assert.deepEqual([openAIError(wrong).type, openAIError(wrong).code], ['authentication_error', 'invalid_api_key']);
      assert.equal((await call('GET', `${root}/files`, { 'x-goog-api-key': 'nope' })).status, 401);
    }
  });

  test('unknown paths and wrong methods answer in OpenAI\'s shape', async () => {
    const unknown = await call('GET', '/v1beta/openai/fine_tuning/jobs', bearer);
    assert.equal(unknown.status, 404);
    assert.equal(openAIError(unknown).type, 'not_found_error');
    assert.match(openAIError(unknown).message, /Invalid URL \(GET \/v1beta\/openai\/fine_tuning\/jobs\)/);
    const unknownV1 = await call('GET', '/v1/fine_tuning/jobs', bearer);
    assert.equal(unknownV1.status, 404);
    openAIError(unknownV1);
    const wrongMethod = await call('PUT', '/v1/batches', bearer);
    assert.equal(wrongMethod.status, 405);
    openAIError(wrongMethod);
    const badEscape = await call('GET', '/v1beta/openai/batches/%E0%A4%A', bearer);
    assert.equal(badEscape.status, 400);
    assert.equal(openAIError(badEscape).type, 'invalid_request_error');
  });

  test('ids with or without their prefix, literal or percent-encoded; a missing one is a 404', async () => {
    for (const path of ['/v1/batches/batches/nothing', '/v1/batches/batches%2Fnothing', '/v1/batches/nothing', '/v1/files/files%2Fnothing', '/v1/files/nothing/content']) {
      const answer = await call('GET', path, bearer);
      assert.equal(answer.status, 404, path);
      assert.equal(openAIError(answer).type, 'not_found_error');
    }
    assert.equal((await call('POST', '/v1/batches/batches/nothing/cancel', bearer)).status, 404);
  });

  test('a refused batch create names the parameter', async () => {
    const create = (body: unknown): Promise<Answer> => call('POST', '/v1/batches', { ...bearer, 'content-type': 'application/json' }, JSON.stringify(body));
    const valid = { input_file_id: 'files/abc', endpoint: '/v1/chat/completions', completion_window: '24h' };
    const cases: [unknown, string, string][] = [
      [{ ...valid, input_file_id: undefined }, 'input_file_id', 'missing_required_parameter'],
      [{ ...valid, endpoint: '/v1/completions' }, 'endpoint', 'invalid_value'],
      [{ ...valid, completion_window: '1d' }, 'completion_window', 'invalid_value'],
      [{ ...valid, metadata: { a: 5 } }, 'metadata.a', 'invalid_type'],
      [{ ...valid, metadata: Object.fromEntries(Array.from({ length: 17 }, (_, index) => [`k${index}`, 'v'])) }, 'metadata', 'invalid_value'],
      [{ ...valid, metadata: { ['k'.repeat(65)]: 'v' } }, `metadata.${'k'.repeat(65)}`, 'string_above_max_length'],
      [{ ...valid, metadata: { k: 'v'.repeat(513) } }, 'metadata.k', 'string_above_max_length'],
      [{ ...valid, surprise: true }, 'surprise', 'unknown_parameter'],
    ];
    for (const [body, param, code] of cases) {
      const answer = await create(body);
      assert.equal(answer.status, 400, JSON.stringify(answer.body));
      assert.deepEqual([openAIError(answer).param, openAIError(answer).code], [param, code]);
    }
    const missingFile = await create(valid);
    assert.equal(missingFile.status, 404);
    assert.equal(openAIError(missingFile).param, 'input_file_id');
  });

  test('the native API is unchanged beside it', async () => {
    const native = await call('GET', '/v1beta/files');
    assert.equal(native.status, 403);
    assert.equal((native.body.error as { status: string }).status, 'PERMISSION_DENIED');
    const nativeUnknown = await call('GET', '/v1beta/nothing', { 'x-goog-api-key': KEY });
    assert.equal((nativeUnknown.body.error as { status: string }).status, 'NOT_FOUND');
    assert.equal((await call('GET', '/v1beta/batches', { 'x-goog-api-key': KEY })).status, 200);
    // A Bearer key is not a Gemini key on native routes.
    assert.equal((await call('GET', '/v1beta/batches', bearer)).status, 403);
    const webhooks = await call('GET', '/v1/webhooks', bearer);
    assert.equal((webhooks.body.error as { status: string }).status, 'PERMISSION_DENIED');
  });
});
