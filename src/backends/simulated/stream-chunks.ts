/**
 * A complete response cut into the chunks streamGenerateContent yields: each candidate's text
 * split at word boundaries into deltas, the last chunk carrying finish reasons and usage.
 * Concatenating the deltas gives back the complete text.
 */
import type { Candidate, GenerateContentResponse } from '../../core/gemini-types.js';
import { hashString } from './hash.js';

/** Splits `response` into 2–4 chunks (fewer for tiny texts; one for function calls). */
export function splitIntoChunks(response: GenerateContentResponse): GenerateContentResponse[] {
  const candidates = response.candidates ?? [];
  const texts = candidates.map(candidateText);
  if (texts.some((text) => text === undefined)) return [response];
  const longest = Math.max(0, ...texts.map((text) => (text as string).length));
  const chunkCount = Math.min(2 + (hashString(response.responseId ?? '') % 3), longest);
  if (chunkCount <= 1) return [response];
  const pieces = texts.map((text) => splitText(text as string, chunkCount));
  const chunks: GenerateContentResponse[] = [];
  for (let chunk = 0; chunk < chunkCount; chunk++) {
    const isLast = chunk === chunkCount - 1;
    const chunkCandidates = candidates.map((candidate, index): Candidate => {
      const content = { role: 'model', parts: [{ text: pieces[index]?.[chunk] ?? '' }] };
      return isLast ? { content, finishReason: candidate.finishReason, index: candidate.index } : { content, index: candidate.index };
    });
    chunks.push({
      candidates: chunkCandidates,
      ...(isLast ? { usageMetadata: response.usageMetadata } : {}),
      modelVersion: response.modelVersion,
      responseId: response.responseId,
    });
  }
  return chunks;
}

/** The candidate's text when its only part is text; `undefined` for function calls and the like. */
function candidateText(candidate: Candidate): string | undefined {
  const parts = candidate.content?.parts ?? [];
  return parts.length === 1 && typeof parts[0]?.text === 'string' ? parts[0].text : undefined;
}

/** `count` consecutive pieces of `text`, cut at the first space after each even share. */
function splitText(text: string, count: number): string[] {
  const pieces: string[] = [];
  let start = 0;
  for (let piece = 1; piece < count; piece++) {
    const target = Math.max(start, Math.round((text.length * piece) / count));
    const space = text.indexOf(' ', target);
    let end = space === -1 || space - target > 12 ? target : space;
    const before = text.charCodeAt(end - 1);
    if (before >= 0xd800 && before <= 0xdbff) end += 1; // keep surrogate pairs whole
    pieces.push(text.slice(start, end));
    start = end;
  }
  pieces.push(text.slice(start));
  return pieces;
}
