/**
 * The `id` of a tool call this surface reports. Gemini's own functionCall.id is kept when the
 * model gave one (the client sends it back as tool_call_id, and it goes back to Gemini as is);
 * otherwise `call_<24 hex>`, derived from the completion id, the choice and the call's position,
 * so that ids are unique across completions (clients key tool results by them over a whole
 * conversation) and a result line rebuilt from the same response gets the same ids.
 */
import { createHash } from 'node:crypto';

/** The tool call id of call `callIndex` of choice `choiceIndex` in completion `completionId`. */
export function toolCallId(completionId: string, choiceIndex: number, callIndex: number, geminiId: string | undefined): string {
  if (geminiId !== undefined && geminiId !== '') return geminiId;
  const digest = createHash('sha256').update(`${completionId}\u0000${choiceIndex}\u0000${callIndex}`).digest('hex');
  return `call_${digest.slice(0, 24)}`;
}
