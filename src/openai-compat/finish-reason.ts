/**
 * Finish reasons in both directions, one table each, side by side so the two stay each other's
 * inverse where they can:
 * - OpenAI `finish_reason` → Gemini `finishReason` (the OpenAI-compatible backend reading a
 *   server's answer): a tool call is a normal end of turn for Gemini (STOP); values only some
 *   servers send (`abort`, `error`, …) become OTHER.
 * - Gemini `finishReason` → OpenAI `finish_reason` (this surface answering a client): STOP is
 *   `tool_calls` when the candidate calls functions; every blocking reason is `content_filter`;
 *   anything else (OTHER, LANGUAGE, MALFORMED_FUNCTION_CALL, …) is `stop`, OpenAI having no
 *   value for it.
 */

/** The five values OpenAI defines. */
export type OpenAIFinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'function_call';

const TO_GEMINI: Readonly<Record<string, string>> = {
  stop: 'STOP',
  length: 'MAX_TOKENS',
  content_filter: 'SAFETY',
  tool_calls: 'STOP',
  function_call: 'STOP',
};

const TO_OPENAI: Readonly<Record<string, OpenAIFinishReason>> = {
  STOP: 'stop',
  MAX_TOKENS: 'length',
  SAFETY: 'content_filter',
  RECITATION: 'content_filter',
  BLOCKLIST: 'content_filter',
  PROHIBITED_CONTENT: 'content_filter',
  SPII: 'content_filter',
  IMAGE_SAFETY: 'content_filter',
  IMAGE_PROHIBITED_CONTENT: 'content_filter',
  IMAGE_RECITATION: 'content_filter',
};

/** The Gemini finish reason for an OpenAI `finishReason`. */
export function toFinishReason(finishReason: string | null | undefined): string {
  return (finishReason === null || finishReason === undefined ? undefined : TO_GEMINI[finishReason]) ?? 'OTHER';
}

/** The OpenAI finish reason for a Gemini `finishReason` of a candidate that did (not) call functions. */
export function toOpenAIFinishReason(finishReason: string | undefined, hasToolCalls: boolean): OpenAIFinishReason {
  const mapped = (finishReason === undefined ? undefined : TO_OPENAI[finishReason]) ?? 'stop';
  return mapped === 'stop' && hasToolCalls ? 'tool_calls' : mapped;
}
