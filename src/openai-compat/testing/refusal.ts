/** Test kit: the OpenAIInputError a call throws, checked to be one. */
import assert from 'node:assert/strict';
import { OpenAIInputError } from '../openai-input-error.js';

/** Runs `call`, which must throw an OpenAIInputError, and returns it. */
export function refusal(call: () => unknown): OpenAIInputError {
  try {
    call();
  } catch (error) {
    assert.ok(error instanceof OpenAIInputError, `expected an OpenAIInputError, got ${String(error)}`);
    assert.equal(error.status, 'INVALID_ARGUMENT');
    assert.equal(error.httpStatus, 400);
    return error;
  }
  assert.fail('expected the call to be refused');
}
