// Tests of AppError → OpenAI error answers: status and type per google.rpc status, auth failures as 401, param and code, headers.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AppError, invalidArgument, permissionDenied } from '../core/errors.js';
import { WireSchemaError } from '../core/wire-schema/wire-schema-error.js';
import { OpenAIInputError } from './openai-input-error.js';
import { toOpenAIError } from './openai-error.js';

describe('toOpenAIError', () => {
  test('each status answers with its HTTP status and OpenAI type', () => {
    const cases: [AppError['status'], number, string][] = [
      ['INVALID_ARGUMENT', 400, 'invalid_request_error'],
      ['FAILED_PRECONDITION', 400, 'invalid_request_error'],
      ['OUT_OF_RANGE', 400, 'invalid_request_error'],
      ['PERMISSION_DENIED', 403, 'permission_error'],
      ['NOT_FOUND', 404, 'not_found_error'],
      ['ALREADY_EXISTS', 409, 'invalid_request_error'],
      ['ABORTED', 409, 'invalid_request_error'],
      ['RESOURCE_EXHAUSTED', 429, 'rate_limit_error'],
      ['INTERNAL', 500, 'server_error'],
      ['UNAVAILABLE', 503, 'server_error'],
      ['DEADLINE_EXCEEDED', 504, 'server_error'],
      ['CANCELLED', 499, 'api_error'],
    ];
    for (const [status, httpStatus, type] of cases) {
      const answer = toOpenAIError(new AppError(status, `${status} happened`));
      assert.equal(answer.httpStatus, httpStatus, status);
      assert.deepEqual(answer.body, { error: { message: `${status} happened`, type, param: null, code: status === 'RESOURCE_EXHAUSTED' ? 'rate_limit_exceeded' : null } }, status);
    }
  });

  test('a wrong key, a missing key and UNAUTHENTICATED are all 401 authentication_error', () => {
    const wrong = toOpenAIError(invalidArgument('API key not valid. Please pass a valid API key.', { errorInfo: { reason: 'API_KEY_INVALID', domain: 'googleapis.com' } }));
    assert.equal(wrong.httpStatus, 401);
    assert.equal(wrong.body.error.type, 'authentication_error');
    assert.equal(wrong.body.error.code, 'invalid_api_key');
    const missing = toOpenAIError(permissionDenied("Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API."));
    assert.equal(missing.httpStatus, 401);
    assert.match(missing.body.error.message, /You didn't provide an API key/);
    assert.equal(toOpenAIError(new AppError('UNAUTHENTICATED', 'no')).httpStatus, 401);
    assert.equal(toOpenAIError(permissionDenied('You do not have permission to access the File x or it may not exist.')).httpStatus, 403, 'other permission errors stay 403');
  });

  test('param and code come from an OpenAIInputError or a WireSchemaError; headers are kept', () => {
    const input = toOpenAIError(new OpenAIInputError("Invalid 'n': no.", { param: 'n', code: 'invalid_value' }));
    assert.deepEqual(input, { httpStatus: 400, body: { error: { message: "Invalid 'n': no.", type: 'invalid_request_error', param: 'n', code: 'invalid_value' } }, headers: {} });
    const notFound = toOpenAIError(new OpenAIInputError('The model x does not exist.', { status: 'NOT_FOUND', param: 'model', code: 'model_not_found' }));
    assert.deepEqual([notFound.httpStatus, notFound.body.error.type, notFound.body.error.code], [404, 'not_found_error', 'model_not_found']);
    const schema = toOpenAIError(new WireSchemaError('contents[0].parts', 'unknown field', "no such field: 'x'"));
    assert.deepEqual([schema.body.error.param, schema.body.error.code], ['contents[0].parts', 'unknown_parameter']);
    const limited = toOpenAIError(new AppError('RESOURCE_EXHAUSTED', 'slow down', { headers: { 'retry-after': '3' } }));
    assert.deepEqual(limited.headers, { 'retry-after': '3' });
  });
});
