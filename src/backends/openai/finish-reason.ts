/**
 * OpenAI `finish_reason` → Gemini `finishReason`. A tool call is a normal end of turn for
 * Gemini (STOP); values only some servers send (`abort`, `error`, …) become OTHER.
 */

const FINISH_REASONS: Readonly<Record<string, string>> = {
  stop: 'STOP',
  length: 'MAX_TOKENS',
  content_filter: 'SAFETY',
  tool_calls: 'STOP',
  function_call: 'STOP',
};

/** The Gemini finish reason for `finishReason`. */
export function toFinishReason(finishReason: string | null | undefined): string {
  return (finishReason === null || finishReason === undefined ? undefined : FINISH_REASONS[finishReason]) ?? 'OTHER';
}
