/**
 * One simulated candidate: a function call, a JSON document, an enum value or prose, decided by
 * the request (tools and tool config, response MIME type and schema) and drawn from a PRNG.
 */
import type { Candidate, GenerateContentRequest, GenerationConfig } from '../../core/gemini-types.js';
import { fitOutput } from './fit-output.js';
import {
  callableFunctions,
  chooseFunction,
  generateFunctionArgs,
  returnedFunctions,
  summarizeFunctionResults,
  type CallableDeclaration,
  type ReturnedFunction,
} from './function-calling.js';
import { appendSentences, composeReply } from './generate-text.js';
import { buildReplyContext, type ReplyContext } from './reply-context.js';
import { lastUserText } from './request-text.js';
import { generateSchemaValue } from './schema-value.js';
import type { Random } from './seeded-random.js';
import { estimateTokens } from './token-estimate.js';

/** What every candidate of one request shares, read from the request once. */
export interface CandidatePlan {
  config: GenerationConfig;
  context: ReplyContext;
  userText: string;
  declarations: CallableDeclaration[];
  returned: ReturnedFunction[];
  output: { mode: 'text' } | { mode: 'json'; schema: unknown } | { mode: 'enum'; values: readonly unknown[] };
}

/** A candidate and the output tokens it counts for. */
export interface SimulatedCandidate {
  candidate: Candidate;
  tokens: number;
}

/** Prose replies run this many tokens (inclusive) before any `maxOutputTokens` cut. */
const DEFAULT_LENGTH_TOKENS = [20, 80] as const;

/** Reads the plan out of a (validated) request. */
export function planCandidates(request: GenerateContentRequest): CandidatePlan {
  const config = request.generationConfig ?? {};
  return {
    config,
    context: buildReplyContext(request),
    userText: lastUserText(request.contents),
    declarations: callableFunctions(request),
    returned: returnedFunctions(request.contents),
    output: outputMode(config),
  };
}

/** Candidate `index`, drawn from `random` (seeded per candidate). */
export function simulateCandidate(request: GenerateContentRequest, plan: CandidatePlan, random: Random, index: number): SimulatedCandidate {
  if (plan.returned.length === 0) {
    const declaration = chooseFunction(request, plan.declarations, plan.userText, random);
    if (declaration !== undefined) {
      const functionCall = { name: declaration.name, args: generateFunctionArgs(declaration, random) };
      return {
        candidate: { content: { role: 'model', parts: [{ functionCall }] }, finishReason: 'STOP', index },
        tokens: estimateTokens(`${functionCall.name}${JSON.stringify(functionCall.args)}`),
      };
    }
  }
  const { output } = plan;
  if (output.mode === 'json') {
    // JSON mode ignores maxOutputTokens and stop sequences: cutting would leave invalid JSON.
    const value = output.schema === undefined ? { answer: prose(plan, random) } : generateSchemaValue(output.schema, random);
    return textCandidate(JSON.stringify(value), 'STOP', index);
  }
  if (output.mode === 'enum') return textCandidate(String(random.pick(output.values)), 'STOP', index);
  const fitted = fitOutput(prose(plan, random), plan.config.stopSequences, plan.config.maxOutputTokens);
  return textCandidate(fitted.text, fitted.finishReason, index);
}

function prose(plan: CandidatePlan, random: Random): string {
  const [minTokens, maxTokens] = DEFAULT_LENGTH_TOKENS;
  const targetTokens = random.int(minTokens, maxTokens);
  if (plan.returned.length === 0) return composeReply(random, plan.context, targetTokens, minTokens);
  const lead = `${plan.context.personaLead}${summarizeFunctionResults(plan.returned)} `;
  return appendSentences(random, lead, targetTokens, minTokens);
}

function textCandidate(text: string, finishReason: string, index: number): SimulatedCandidate {
  return { candidate: { content: { role: 'model', parts: [{ text }] }, finishReason, index }, tokens: estimateTokens(text) };
}

function outputMode(config: GenerationConfig): CandidatePlan['output'] {
  const mimeType = config.responseMimeType?.toLowerCase();
  const schema = config.responseJsonSchema ?? config.responseSchema;
  if (mimeType === 'application/json') return { mode: 'json', schema };
  if (mimeType === 'text/x.enum') {
    const values = typeof schema === 'object' && schema !== null && 'enum' in schema ? schema.enum : undefined;
    if (Array.isArray(values) && values.length > 0) return { mode: 'enum', values };
  }
  return { mode: 'text' };
}
