// Tests of OpenAI batch output and error lines built from native results.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { openAIErrorLine, openAISuccessLine } from './batch-output-line.js';

const context = { batchId: 'batches/abc', index: 3, model: 'gemini-2.5-flash', created: 1_700_000_000 };

describe('openAISuccessLine', () => {
  test('a chat result: the line ids, status 200 and a chat.completion body', () => {
    const text = openAISuccessLine('req-4', { candidates: [{ content: { parts: [{ text: 'Hi' }] }, finishReason: 'STOP' }], usageMetadata: { promptTokenCount: 2, candidatesTokenCount: 1, totalTokenCount: 3 } }, '/v1/chat/completions', context);
    assert.ok(!text.includes('\n'));
    const line = JSON.parse(text) as Record<string, unknown>;
    assert.deepEqual(line, {
      id: 'batch_req_abc_3',
      custom_id: 'req-4',
      response: {
        status_code: 200,
        request_id: 'req_abc_3',
        body: {
          id: 'chatcmpl-abc-3',
          object: 'chat.completion',
          created: 1_700_000_000,
          model: 'gemini-2.5-flash',
          choices: [{ index: 0, message: { role: 'assistant', content: 'Hi', refusal: null }, logprobs: null, finish_reason: 'stop' }],
          usage: { prompt_tokens: 2, completion_tokens: 1, total_tokens: 3, prompt_tokens_details: { cached_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 0 } },
        },
      },
      error: null,
    });
  });

  test('an embeddings result: a list of one float embedding', () => {
    const line = JSON.parse(openAISuccessLine('e', { embedding: { values: [0.25, 0.5] } }, '/v1/embeddings', { ...context, batchId: 'abc', model: 'gemini-embedding-001' })) as { response: { body: unknown } };
    assert.deepEqual(line.response.body, {
      object: 'list',
      data: [{ object: 'embedding', index: 0, embedding: [0.25, 0.5] }],
      model: 'gemini-embedding-001',
      usage: { prompt_tokens: 0, total_tokens: 0 },
    });
  });
});

describe('openAIErrorLine', () => {
  test('a request that failed at the backend: a response with the HTTP status and an OpenAI error body', () => {
    const line = JSON.parse(openAIErrorLine('r', { code: 8, message: 'Quota exceeded', status: 'RESOURCE_EXHAUSTED' }, { ...context, unrun: false })) as unknown;
    assert.deepEqual(line, {
      id: 'batch_req_abc_3',
      custom_id: 'r',
      response: { status_code: 429, request_id: 'req_abc_3', body: { error: { message: 'Quota exceeded', type: 'rate_limit_error', param: null, code: null } } },
      error: null,
    });
    const byCode = JSON.parse(openAIErrorLine('r', { code: 3, message: 'bad' }, { ...context, unrun: false })) as { response: { status_code: number } };
    assert.equal(byCode.response.status_code, 400, 'the status is found by its gRPC code when the name is missing');
  });

  test('a request never run: no response, error batch_cancelled / batch_expired / batch_failed', () => {
    const unrun = (error: { code: number; message: string; status?: string }, isUnrun: boolean) =>
      JSON.parse(openAIErrorLine('r', error, { ...context, unrun: isUnrun })) as { response: unknown; error: unknown };
    assert.deepEqual(unrun({ code: 1, message: 'Batch was cancelled.', status: 'CANCELLED' }, true), { id: 'batch_req_abc_3', custom_id: 'r', response: null, error: { code: 'batch_cancelled', message: 'Batch was cancelled.' } });
    assert.deepEqual(unrun({ code: 4, message: 'Batch expired.' }, true).error, { code: 'batch_expired', message: 'Batch expired.' });
    assert.deepEqual(unrun({ code: 5, message: 'models/x is not found', status: 'NOT_FOUND' }, true).error, { code: 'batch_failed', message: 'models/x is not found' });
  });

  test('a request that ran and timed out at the backend is a failed request, not an expired one', () => {
    const line = JSON.parse(openAIErrorLine('r', { code: 4, message: 'The backend did not answer within 600 s.', status: 'DEADLINE_EXCEEDED' }, { ...context, unrun: false })) as {
      response: { status_code: number; body: { error: { message: string } } }; error: unknown;
    };
    assert.equal(line.error, null);
    assert.equal(line.response.status_code, 504);
    assert.equal(line.response.body.error.message, 'The backend did not answer within 600 s.');
  });
});
