/**
 * What the built-in tools add to an answer, in Gemini's shapes: `groundingMetadata`
 * (`webSearchQueries`, `groundingChunks[].web {uri, title}`, `groundingSupports` for the
 * sentences citing a source) and `urlContextMetadata.urlMetadata[] {retrievedUrl,
 * urlRetrievalStatus}` on each candidate, and the context's tokens as `toolUsePromptTokenCount`.
 * Gemini counts tool-use prompt tokens apart from `promptTokenCount` (the total holds both), so
 * the estimated context tokens move from the backend's prompt count to that field.
 */
import type { Candidate, GenerateContentResponse, UsageMetadata } from '../../core/gemini-types.js';
import { citeEverySentence, groundingSupports, type GroundingSupport } from './grounding-supports.js';
import type { ToolFindings } from './tool-request.js';

/** The metadata of one candidate whose answer text is `parts` (index → text; thoughts left out). */
export function candidateMetadata(findings: ToolFindings, parts: ReadonlyMap<number, string>): Partial<Candidate> {
  const metadata: Partial<Candidate> = {};
  if (findings.results !== undefined) {
    const supports: GroundingSupport[] = [];
    for (const [partIndex, text] of parts) supports.push(...groundingSupports(text, findings.results.length, partIndex));
    metadata.groundingMetadata = {
      webSearchQueries: findings.query === undefined ? [] : [findings.query],
      groundingChunks: findings.results.map((result) => ({ web: { uri: result.url, title: result.title } })),
      groundingSupports: supports,
    };
  }
  if (findings.pages !== undefined) {
    metadata.urlContextMetadata = { urlMetadata: findings.pages.map((page) => ({ retrievedUrl: page.url, urlRetrievalStatus: page.status })) };
  }
  return metadata;
}

/** The answer text of a candidate, by part index (text parts that are not thoughts). */
export function answerParts(candidate: Candidate): Map<number, string> {
  const parts = new Map<number, string>();
  (candidate.content?.parts ?? []).forEach((part, index) => {
    if (typeof part.text === 'string' && part.thought !== true) parts.set(index, part.text);
  });
  return parts;
}

/** Usage with `contextTokens` (at most the prompt's) counted as tool-use prompt tokens. */
export function withToolUsage(usage: UsageMetadata | undefined, contextTokens: number): UsageMetadata | undefined {
  if (usage === undefined) return undefined;
  const prompt = usage.promptTokenCount ?? 0;
  const tool = Math.min(prompt, contextTokens);
  if (tool <= 0) return usage;
  const { promptTokenCount: _prompt, ...rest } = usage;
  return { ...(prompt - tool > 0 ? { promptTokenCount: prompt - tool } : {}), ...rest, toolUsePromptTokenCount: tool };
}

/** A whole answer with the tools' metadata; `cite` first marks uncited sentences (the simulated model). */
export function decorateResponse(response: GenerateContentResponse, findings: ToolFindings, contextTokens: number, cite: boolean): GenerateContentResponse {
  const sources = findings.results?.length ?? 0;
  const candidates = response.candidates?.map((candidate) => {
    const cited = cite && sources > 0 ? citeCandidate(candidate, sources) : candidate;
    return { ...cited, ...candidateMetadata(findings, answerParts(cited)) };
  });
  const usageMetadata = withToolUsage(response.usageMetadata, contextTokens);
  return { ...response, ...(candidates ? { candidates } : {}), ...(usageMetadata ? { usageMetadata } : {}) };
}

function citeCandidate(candidate: Candidate, sources: number): Candidate {
  if (candidate.content?.parts === undefined) return candidate;
  const parts = candidate.content.parts.map((part) => (typeof part.text === 'string' && part.thought !== true ? { ...part, text: citeEverySentence(part.text, sources) } : part));
  return { ...candidate, content: { ...candidate.content, parts } };
}
