/**
 * The hashes that make the simulated backend deterministic, computed once per call by walking
 * the request (no serialisation; key order does not matter).
 */
import type { GenerateContentRequest } from '../../core/gemini-types.js';
import { combineHashes } from './hash.js';
import { hashJson, hashJsonObject } from './hash-json.js';

/** Hashes identifying one request. */
export interface RequestIdentity {
  /**
   * The request without the settings that only cut or multiply the output (`maxOutputTokens`,
   * `stopSequences`, `candidateCount`): it seeds the text, so a limit truncates the very text the
   * unlimited request gets, as with a real model and a fixed seed.
   */
  contentHash: number;
  /** The whole request: decides transient failures and the `responseId`. */
  requestHash: number;
}

const GENERATION_CONFIG = new Set(['generationConfig']);
const OUTPUT_SETTINGS = new Set(['maxOutputTokens', 'stopSequences', 'candidateCount']);
const EMPTY_OBJECT_HASH = hashJsonObject({});

/** Hashes `request`, walking each part of it once. */
export function identifyRequest(request: GenerateContentRequest): RequestIdentity {
  const withoutConfig = hashJsonObject(request, GENERATION_CONFIG);
  const config = request.generationConfig;
  if (config === undefined) return { contentHash: withoutConfig, requestHash: withoutConfig };
  const configHash = hashJsonObject(config, OUTPUT_SETTINGS);
  // A config holding only output settings must seed like no config, so they cut the plain text.
  const contentHash = configHash === EMPTY_OBJECT_HASH ? withoutConfig : combineHashes(withoutConfig, configHash);
  const { maxOutputTokens, stopSequences, candidateCount } = config;
  if (maxOutputTokens === undefined && stopSequences === undefined && candidateCount === undefined) {
    return { contentHash, requestHash: contentHash };
  }
  return { contentHash, requestHash: combineHashes(contentHash, hashJson([maxOutputTokens, stopSequences, candidateCount])) };
}
