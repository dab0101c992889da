/**
 * A backend decorator that appends one line per call to a file (`<epoch ms> <model> <attempt>
 * <first 80 chars of the prompt>`), written synchronously so a crash cannot lose it. For tests
 * and demos that must count what a backend really received, across restarts.
 */
import { appendFileSync } from 'node:fs';
import type { CallOptions, ModelBackend } from './backend.js';

function promptOf(request: { contents?: { parts?: { text?: unknown }[] }[]; content?: { parts?: { text?: unknown }[] } }): string {
  const parts = request.contents?.at(-1)?.parts ?? request.content?.parts ?? [];
  return parts.map((part) => (typeof part.text === 'string' ? part.text : '')).join(' ').replace(/\s+/g, ' ').slice(0, 80);
}

export function withCallLog(backend: ModelBackend, path: string): ModelBackend {
  const log = (options: CallOptions, request: Parameters<typeof promptOf>[0]): void => {
    appendFileSync(path, `${Date.now()} ${options.model} ${options.attempt ?? 1} ${promptOf(request)}\n`);
  };
  return {
    id: backend.id,
    generateContent(request, options) {
      log(options, request);
      return backend.generateContent(request, options);
    },
    ...(backend.streamGenerateContent && {
      streamGenerateContent: (request, options) => {
        log(options, request);
        return backend.streamGenerateContent!(request, options);
      },
    }),
    ...(backend.embedContent && {
      embedContent: (request, options) => {
        log(options, request);
        return backend.embedContent!(request, options);
      },
    }),
    ...(backend.countTokens && { countTokens: backend.countTokens.bind(backend) }),
  } as ModelBackend;
}
