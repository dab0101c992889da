/**
 * The built-in simulated model backend: deterministic, realistic answers with no network, for
 * tests and demos. Each call waits `latencyMs` (abortable), then applies scripted faults, then
 * the transient `errorRate`, then answers. With zero latency no timer is involved at all, so
 * one process sustains hundreds of thousands of calls a second.
 */
import type {
  EmbedContentRequest,
  EmbedContentResponse,
  GenerateContentRequest,
  GenerateContentResponse,
} from '../../core/gemini-types.js';
import type { CallOptions, ModelBackend } from '../backend.js';
import { abortableSleep } from '../../lib/abort.js';
import { cancelledError, throwIfCancelled } from '../cancelled-error.js';
import { hashJson } from './hash-json.js';
import { estimatePromptTokens } from './prompt-tokens.js';
import { identifyRequest } from './request-identity.js';
import { partsText, requestText } from './request-text.js';
import { simulateEmbedding } from './simulate-embedding.js';
import { simulateGenerateContent } from './simulate-generate-content.js';
import { imageSettingsOf } from './image-settings.js';
import { faultError, findFault, type SimulatedFault } from './simulated-fault.js';
import { splitIntoChunks } from './stream-chunks.js';
import { isTransientFailure, transientError } from './transient-failure.js';

/** Settings of the simulated backend. */
export interface SimulatedBackendOptions {
  /** Delay of every call in milliseconds (before the answer or the first streamed chunk); default 0. */
  latencyMs?: number;
  /** Fraction (0..1) of tries that fail with a retryable 503 UNAVAILABLE; default 0. */
  errorRate?: number;
  /** Scripted faults, checked in order; the first that applies wins. Default none. */
  faults?: readonly SimulatedFault[];
  /** Every model of the route generates images, whatever its name (default: only image models by name). */
  imageModel?: boolean;
  /** Pixels on the long side of generated images, 16 to 4096; default 256. */
  imageSize?: number;
}

/** Creates the simulated backend (id `simulated`). Throws RangeError for out-of-range options. */
export function createSimulatedBackend(options: SimulatedBackendOptions = {}): ModelBackend {
  const latencyMs = options.latencyMs ?? 0;
  const errorRate = options.errorRate ?? 0;
  const faults = options.faults ?? [];
  if (!Number.isFinite(latencyMs) || latencyMs < 0) throw new RangeError(`latencyMs must be a finite number >= 0, got ${latencyMs}`);
  if (!(errorRate >= 0 && errorRate <= 1)) throw new RangeError(`errorRate must be between 0 and 1, got ${errorRate}`);
  const delay = (ms: number, signal: AbortSignal): Promise<void> => abortableSleep(ms, signal, cancelledError);
  const images = imageSettingsOf(options);

  /** Throws the cancellation, scripted fault or transient error this try gets, if any. */
  function failIfDue(requestHash: number, text: () => string, callOptions: CallOptions): void {
    throwIfCancelled(callOptions.signal);
    const attempt = callOptions.attempt ?? 1;
    if (faults.length > 0) {
      const fault = findFault(faults, text(), attempt);
      if (fault !== undefined) throw faultError(fault);
    }
    if (isTransientFailure(requestHash, attempt, errorRate)) throw transientError();
  }

  return {
    id: 'simulated',

    async generateContent(request: GenerateContentRequest, callOptions: CallOptions): Promise<GenerateContentResponse> {
      const identity = identifyRequest(request);
      if (latencyMs > 0) await delay(latencyMs, callOptions.signal);
      failIfDue(identity.requestHash, () => requestText(request), callOptions);
      return simulateGenerateContent(request, callOptions.model, identity, images);
    },

    async *streamGenerateContent(request: GenerateContentRequest, callOptions: CallOptions): AsyncIterable<GenerateContentResponse> {
      const identity = identifyRequest(request);
      if (latencyMs > 0) await delay(latencyMs, callOptions.signal);
      failIfDue(identity.requestHash, () => requestText(request), callOptions);
      for (const chunk of splitIntoChunks(simulateGenerateContent(request, callOptions.model, identity, images))) {
        if (callOptions.signal.aborted) throw cancelledError(callOptions.signal);
        yield chunk;
      }
    },

    async embedContent(request: EmbedContentRequest, callOptions: CallOptions): Promise<EmbedContentResponse> {
      const requestHash = hashJson(request);
      const text = (): string => partsText(request.content?.parts);
      if (latencyMs > 0) await delay(latencyMs, callOptions.signal);
      failIfDue(requestHash, text, callOptions);
      return simulateEmbedding(request, callOptions.model);
    },

    async countTokens(request: GenerateContentRequest, callOptions: CallOptions): Promise<number> {
      throwIfCancelled(callOptions.signal);
      return estimatePromptTokens(request).total;
    },

    /** Holds no connections: nothing to release (each pending delay ends with its call's signal). */
    async close(): Promise<void> {},
  };
}
