/**
 * A backend decorator that appends one line per call to a file (`<epoch ms> <model> <attempt>
 * <first 80 chars of the prompt>`), written synchronously so a crash cannot lose it. For tests
 * and demos that must count what a backend really received, across restarts.
 */
import { appendFileSync } from 'node:fs';
import type { Content } from '../core/gemini-types.js';
import type { CallOptions, ModelBackend } from './backend.js';

function promptOf(request: { contents?: Content[]; content?: Content }): string {
  const parts = request.contents?.at(-1)?.parts ?? request.content?.parts ?? [];
  return parts.map((part) => (typeof part.text === 'string' ? part.text : '')).join(' ').replace(/\s+/g, ' ').slice(0, 80);
}

export function withCallLog(backend: ModelBackend, path: string): ModelBackend {
  const log = (options: CallOptions, request: { contents?: Content[]; content?: Content }): void => {
    appendFileSync(path, `${Date.now()} ${options.model} ${options.attempt ?? 1} ${promptOf(request)}\n`);
  };
  const logged: ModelBackend = {
    id: backend.id,
    generateContent(request, options) {
      log(options, request);
      return backend.generateContent(request, options);
    },
  };
  const stream = backend.streamGenerateContent?.bind(backend);
  if (stream) {
    logged.streamGenerateContent = (request, options) => {
      log(options, request);
      return stream(request, options);
    };
  }
  const embed = backend.embedContent?.bind(backend);
  if (embed) {
    logged.embedContent = (request, options) => {
      log(options, request);
      return embed(request, options);
    };
  }
  const countTokens = backend.countTokens?.bind(backend);
  if (countTokens) logged.countTokens = countTokens;
  if (backend.close) logged.close = backend.close.bind(backend);
  return logged;
}
