/**
 * Gives a backend its route's call deadline (`callTimeoutMs`, from the model configuration's
 * `timeoutSeconds`): the same backend, every method delegated unchanged, plus the property the
 * batch engine reads (worker/call-backend.ts). The deadline itself is enforced by the caller, so
 * every backend gets it, whatever its transport.
 */
import type { ModelBackend } from './backend.js';

/** `backend` with `callTimeoutMs` set; its other members (and `close`, if any) delegated. */
export function withCallTimeout(backend: ModelBackend, callTimeoutMs: number): ModelBackend {
  if (!Number.isFinite(callTimeoutMs) || callTimeoutMs <= 0) throw new RangeError(`callTimeoutMs must be a positive number, got ${callTimeoutMs}`);
  const timed: ModelBackend = {
    id: backend.id,
    callTimeoutMs,
    generateContent: backend.generateContent.bind(backend),
  };
  if (backend.streamGenerateContent) timed.streamGenerateContent = backend.streamGenerateContent.bind(backend);
  if (backend.embedContent) timed.embedContent = backend.embedContent.bind(backend);
  if (backend.countTokens) timed.countTokens = backend.countTokens.bind(backend);
  if (backend.close) timed.close = backend.close.bind(backend);
  return timed;
}
