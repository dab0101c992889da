/**
 * The simulated model's answer to a generateContent request: pure and deterministic (the same
 * request and model give a byte-identical response), with usage estimated the same way
 * countTokens does.
 */
import type { Candidate, GenerateContentRequest, GenerateContentResponse, UsageMetadata } from '../../core/gemini-types.js';
import { BackendError } from '../backend.js';
import { combineHashes, hashString, mixSeed } from './hash.js';
import { estimatePromptTokens } from './prompt-tokens.js';
import { identifyRequest, type RequestIdentity } from './request-identity.js';
import { createRandom } from './seeded-random.js';
import { planCandidates, simulateCandidate } from './simulate-candidate.js';
import { DEFAULT_IMAGE_SETTINGS, planImage, simulateImageContent, type ImageSettings } from './simulate-image-content.js';
import { isThinkingModel } from './simulated-models.js';

/** Gemini's limit on `candidateCount`. */
const MAX_CANDIDATES = 8;
const RESPONSE_ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const RESPONSE_ID_LENGTH = 23;
const THOUGHTS_SALT = 0x7407;

/**
 * Answers `request` as `model` would. Throws INVALID_ARGUMENT for empty contents, a content
 * without parts, a bad `candidateCount`, or an image asked of a text-only model. `identity` may
 * be passed when the caller already hashed; `images` says how the route treats image requests
 * (simulate-image-content.ts).
 */
export function simulateGenerateContent(
  request: GenerateContentRequest,
  model: string,
  identity: RequestIdentity = identifyRequest(request),
  images: ImageSettings = DEFAULT_IMAGE_SETTINGS,
): GenerateContentResponse {
  validateRequest(request);
  const image = planImage(request, model, images);
  if (image !== undefined) {
    return { ...simulateImageContent(request, model, identity, image), responseId: responseId(combineHashes(identity.requestHash, hashString(model))) };
  }
  const plan = planCandidates(request);
  const modelHash = hashString(model);
  const seed = mixSeed(identity.contentHash, modelHash);
  const candidates: Candidate[] = [];
  let candidatesTokenCount = 0;
  const candidateCount = plan.config.candidateCount ?? 1;
  for (let index = 0; index < candidateCount; index++) {
    const simulated = simulateCandidate(request, plan, createRandom(mixSeed(seed, index)), index);
    candidates.push(simulated.candidate);
    candidatesTokenCount += simulated.tokens;
  }
  const thinks = isThinkingModel(model) && plan.config.thinkingConfig?.thinkingBudget !== 0;
  const thoughtsTokenCount = thinks ? 8 + (mixSeed(seed, THOUGHTS_SALT) % 57) : 0;
  return {
    candidates,
    usageMetadata: usageMetadata(request, candidatesTokenCount, thoughtsTokenCount),
    modelVersion: model,
    responseId: responseId(combineHashes(identity.requestHash, modelHash)),
  };
}

/** Usage as Gemini reports it; zero counts are left out, as proto3 JSON does. */
function usageMetadata(request: GenerateContentRequest, candidatesTokenCount: number, thoughtsTokenCount: number): UsageMetadata {
  const prompt = estimatePromptTokens(request);
  const usage: UsageMetadata = {};
  if (prompt.total > 0) usage.promptTokenCount = prompt.total;
  if (candidatesTokenCount > 0) usage.candidatesTokenCount = candidatesTokenCount;
  const totalTokenCount = prompt.total + candidatesTokenCount + thoughtsTokenCount;
  if (totalTokenCount > 0) usage.totalTokenCount = totalTokenCount;
  const details: { modality: string; tokenCount: number }[] = [];
  if (prompt.textTokens > 0) details.push({ modality: 'TEXT', tokenCount: prompt.textTokens });
  if (prompt.mediaTokens > 0) details.push({ modality: 'IMAGE', tokenCount: prompt.mediaTokens });
  if (details.length > 0) usage.promptTokensDetails = details;
  if (thoughtsTokenCount > 0) usage.thoughtsTokenCount = thoughtsTokenCount;
  return usage;
}

function validateRequest(request: GenerateContentRequest): void {
  if (!Array.isArray(request.contents) || request.contents.length === 0) throw invalidArgument('contents must not be empty');
  request.contents.forEach((content, index) => {
    if (!Array.isArray(content.parts) || content.parts.length === 0) {
      throw invalidArgument(`contents[${index}].parts must not be empty`);
    }
  });
  const count = request.generationConfig?.candidateCount;
  if (count !== undefined && (!Number.isInteger(count) || count < 1 || count > MAX_CANDIDATES)) {
    throw invalidArgument(`candidateCount must be an integer from 1 to ${MAX_CANDIDATES}, got ${String(count)}`);
  }
}

function invalidArgument(message: string): BackendError {
  return new BackendError(message, { status: 'INVALID_ARGUMENT', retryable: false, httpStatus: 400 });
}

/** 23 base64url characters from a 53-bit hash: five characters from each of five 32-bit mixes. */
function responseId(hash: number): string {
  let id = '';
  for (let word = 0; id.length < RESPONSE_ID_LENGTH; word++) {
    let bits = mixSeed(hash, word);
    for (let char = 0; char < 5 && id.length < RESPONSE_ID_LENGTH; char++, bits >>>= 6) {
      id += RESPONSE_ID_ALPHABET.charAt(bits & 63);
    }
  }
  return id;
}
