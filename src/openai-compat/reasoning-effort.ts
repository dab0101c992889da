/**
 * OpenAI's `reasoning_effort` → Gemini `thinkingConfig`, as Google's OpenAI compatibility
 * documents it: thinking budgets of 1,024 (low), 8,192 (medium) and 24,576 (high) tokens, and 0
 * for `none` (thinking off; models that cannot turn it off refuse that, as on Google's side).
 * `minimal` is read as `low`. Google's own extension
 * `extra_body: {google: {thinking_config: {thinking_budget, thinking_level}}}` (also accepted
 * without the `extra_body` wrapper, as the Python SDK's `extra_body=` sends it) sets the
 * Gemini fields directly; it cannot be combined with reasoning_effort. `include_thoughts` is
 * not honoured: thoughts are never content on this surface.
 */
import type { GenerationConfig } from '../core/gemini-types.js';
import { invalidValue } from './openai-input-error.js';
import { isRecord, optionalEnum, optionalInteger, optionalString } from './read-fields.js';

const EFFORTS = ['none', 'minimal', 'low', 'medium', 'high'] as const;

const BUDGETS: Readonly<Record<(typeof EFFORTS)[number], number>> = { none: 0, minimal: 1024, low: 1024, medium: 8192, high: 24_576 };

/** The thinkingConfig a chat body asks for; undefined when it asks for none. */
export function thinkingConfigOf(body: Record<string, unknown>): GenerationConfig['thinkingConfig'] {
  const effort = optionalEnum(body.reasoning_effort, 'reasoning_effort', EFFORTS);
  const extension = googleThinkingConfig(body);
  if (effort !== undefined && extension !== undefined) {
    throw invalidValue('reasoning_effort', 'reasoning_effort and thinking_config cannot be set together; use one.');
  }
  if (effort !== undefined) return { thinkingBudget: BUDGETS[effort] };
  if (extension === undefined) return undefined;
  const { config, param } = extension;
  const thinking: NonNullable<GenerationConfig['thinkingConfig']> = {};
  const budget = optionalInteger(config.thinking_budget ?? config.thinkingBudget, `${param}.thinking_budget`, { min: -1 });
  if (budget !== undefined) thinking.thinkingBudget = budget;
  const level = optionalString(config.thinking_level ?? config.thinkingLevel, `${param}.thinking_level`);
  if (level !== undefined) thinking.thinkingLevel = level;
  return Object.keys(thinking).length > 0 ? thinking : undefined;
}

/** `extra_body.google.thinking_config` or `google.thinking_config`, with where it was found. */
function googleThinkingConfig(body: Record<string, unknown>): { config: Record<string, unknown>; param: string } | undefined {
  const candidates: [unknown, string][] = [
    [isRecord(body.extra_body) ? body.extra_body.google : undefined, 'extra_body.google'],
    [body.google, 'google'],
  ];
  for (const [google, param] of candidates) {
    if (!isRecord(google)) continue;
    const config = google.thinking_config ?? google.thinkingConfig;
    if (isRecord(config)) return { config, param: `${param}.thinking_config` };
  }
  return undefined;
}
