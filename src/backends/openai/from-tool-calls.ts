/**
 * Chat `tool_calls` → Gemini `functionCall` parts. Arguments arrive as a JSON string (Ollama
 * has been seen sending an object, and some servers send `""` for a call without arguments);
 * Gemini `args` must be a JSON object. When any call's arguments are not one, no call is
 * returned and the candidate finishes with MALFORMED_FUNCTION_CALL, as Gemini does when its
 * model writes a broken call: half of a set of parallel calls would mislead the client.
 */
import type { Part } from '../../core/gemini-types.js';

/** One call as servers send it, whole (non-streaming) or accumulated from deltas (streaming). */
export interface RawToolCall {
  id?: string | undefined;
  name: string;
  arguments: unknown;
}

/** The function call parts, or why there are none. */
export interface ToolCallParts {
  parts: Part[];
  /** Set when a call was malformed: the candidate's finishMessage. */
  malformedMessage?: string;
}

const LONGEST_ARGUMENTS_SHOWN = 200;

/** The function call parts for `calls`. */
export function fromToolCalls(calls: readonly RawToolCall[]): ToolCallParts {
  const parts: Part[] = [];
  for (const call of calls) {
    const args = parseArguments(call.arguments);
    if (args === undefined || call.name === '') {
      const shown = typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments) ?? '';
      const clipped = shown.length > LONGEST_ARGUMENTS_SHOWN ? `${shown.slice(0, LONGEST_ARGUMENTS_SHOWN)}…` : shown;
      return { parts: [], malformedMessage: `Malformed function call: ${call.name}(${clipped})` };
    }
    parts.push({ functionCall: { ...(call.id ? { id: call.id } : {}), name: call.name, args } });
  }
  return { parts };
}

function parseArguments(raw: unknown): Record<string, unknown> | undefined {
  let value = raw;
  if (typeof raw === 'string') {
    if (raw.trim() === '') return {};
    try {
      value = JSON.parse(raw);
    } catch {
      return undefined;
    }
  }
  if (value === null || value === undefined) return raw === undefined || raw === null ? {} : undefined;
  return typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
