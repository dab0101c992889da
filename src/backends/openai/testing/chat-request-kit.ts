/**
 * Test kit of the chat-request translation tests: translate a Gemini request (and prove the body
 * valid against the strict validator), or get the INVALID_ARGUMENT it is refused with.
 */
import assert from 'node:assert/strict';
import type { GenerateContentRequest } from '../../../core/gemini-types.js';
import { BackendError } from '../../backend.js';
import type { ResolvedFiles } from '../resolve-file-parts.js';
import { toChatRequest, type ChatRequest } from '../to-chat-request.js';
import { validateChatRequest } from './validate-openai-request.js';

export const SERVER = 'http://127.0.0.1:8000/v1';
const NO_FILES: ResolvedFiles = new Map();

/** Translates and checks the body against the strict validator, so every test also proves the body is valid. */
export function translate(request: GenerateContentRequest, files: ResolvedFiles = NO_FILES): ChatRequest {
  const translated = toChatRequest(request, 'upstream-model', files, SERVER);
  assert.deepEqual(validateChatRequest(translated.body), [], 'a strict server accepts the body');
  return translated;
}

/** The error a request is refused with: INVALID_ARGUMENT, not retryable. */
export function refusal(request: GenerateContentRequest, files: ResolvedFiles = NO_FILES): BackendError {
  try {
    toChatRequest(request, 'upstream-model', files, SERVER);
  } catch (error) {
    assert.ok(error instanceof BackendError, String(error));
    assert.equal(error.status, 'INVALID_ARGUMENT');
    assert.equal(error.retryable, false);
    return error;
  }
  assert.fail('the request was translated, not refused');
}
