/**
 * Test kit of the Gemini backend's tests: a fake Gemini server started before a file's tests and
 * closed after them, with the backends made against it.
 */
import { after, before } from 'node:test';
import { startFakeGemini, type FakeGeminiServer } from '../../../../test/fixtures/gemini/fake-gemini-server.js';
import type { GenerateContentRequest } from '../../../core/gemini-types.js';
import type { CallOptions } from '../../backend.js';
import { createGeminiBackend, type GeminiBackend, type GeminiBackendOptions } from '../gemini-backend.js';

export const API_KEY = 'AIzaSy-test-key-0123456789abcdef';
export const MODEL = 'gemini-2.5-flash';

/** The options of one call. */
export const call = (signal = new AbortController().signal, model = MODEL): CallOptions => ({ model, signal });

/** A request using every top-level field a batch line may carry, nested shapes included. */
export const FULL_REQUEST = {
  model: `models/${MODEL}`,
  contents: [
    { role: 'user', parts: [{ text: 'What is the weather in Lyon?' }, { inlineData: { mimeType: 'image/png', data: 'iVBORw0KGgo=' } }] },
    { role: 'model', parts: [{ functionCall: { name: 'get_weather', args: { city: 'Lyon', unit_system: 'metric' } } }] },
    { role: 'user', parts: [{ functionResponse: { name: 'get_weather', response: { temp_c: 21.5, sky: 'clear' } } }] },
  ],
  systemInstruction: { role: 'user', parts: [{ text: 'Answer in one sentence.' }] },
  tools: [
    {
      functionDeclarations: [
        {
          name: 'get_weather',
          description: 'Current weather of a city',
          parameters: { type: 'OBJECT', properties: { city: { type: 'STRING' }, unit_system: { type: 'STRING', enum: ['metric', 'imperial'] } }, required: ['city'] },
        },
        { name: 'get_time', parametersJsonSchema: { type: 'object', properties: { time_zone: { type: 'string' } }, additionalProperties: false } },
      ],
    },
    { googleSearch: {} },
  ],
  toolConfig: { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['get_weather'] } },
  safetySettings: [
    { category: 'HARM_CATEGORY_HARASSMENT', threshold: 'BLOCK_ONLY_HIGH' },
    { category: 'HARM_CATEGORY_DANGEROUS_CONTENT', threshold: 'BLOCK_NONE' },
  ],
  generationConfig: {
    temperature: 0.2,
    topP: 0.95,
    topK: 40,
    maxOutputTokens: 1024,
    candidateCount: 1,
    stopSequences: ['END'],
    seed: 7,
    presencePenalty: 0.1,
    frequencyPenalty: -0.1,
    responseMimeType: 'application/json',
    responseSchema: { type: 'OBJECT', properties: { answer: { type: 'STRING', nullable: true } }, propertyOrdering: ['answer'] },
    responseJsonSchema: { type: 'object', properties: { answer: { type: ['string', 'null'] } }, $defs: {} },
    thinkingConfig: { includeThoughts: true, thinkingBudget: 2048 },
  },
  cachedContent: 'cachedContents/abc123',
  labels: { team: 'search', cost_center: 'cc-42' },
} satisfies GenerateContentRequest;

export interface FakeGeminiKit {
  /** The fake server (available once the file's `before` hook ran). */
  readonly fake: FakeGeminiServer;
  /** A backend against the fake, closed after the file's tests. */
  readonly backendFor: (options?: Partial<GeminiBackendOptions>) => GeminiBackend;
}

/** Registers the hooks that start and stop the fake; call once at the top of a test file. */
export function useFakeGemini(): FakeGeminiKit {
  let fake: FakeGeminiServer | undefined;
  const backends: GeminiBackend[] = [];
  before(async () => {
    fake = await startFakeGemini({ apiKey: API_KEY });
  });
  after(async () => {
    await Promise.all(backends.map((backend) => backend.close()));
    await fake?.close();
  });
  const started = (): FakeGeminiServer => {
    if (fake === undefined) throw new Error('the fake Gemini server is not started yet');
    return fake;
  };
  return {
    get fake() {
      return started();
    },
    backendFor: (options = {}) => {
      const backend = createGeminiBackend({ baseUrl: started().baseUrl, apiKey: API_KEY, ...options });
      backends.push(backend);
      return backend;
    },
  };
}
